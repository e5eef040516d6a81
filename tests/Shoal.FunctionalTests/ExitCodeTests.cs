using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>The real CLI's exit codes: 0 done, 1 refused, 2 usage error, 70 internal error — never a stack trace on the terminal.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("bogus")]
    [InlineData("up", "--no-such-option")]
    [InlineData("scale")]
    public async Task Cli_UsageError_Exits2WithAHint(params string[] arguments)
    {
        var result = await ShoalCli.RunAsync(_dir, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Refusal_Exits1()
    {
        var result = await ShoalCli.RunAsync(_dir, "validate", "-f", "missing.yml");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: missing.yml: no such stack file.\n", result.Stderr);
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(2_000_000)]
    public async Task Validate_DeeplyNestedFile_Exits1WithALocatedError(int depth)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "shoal.yml"), "services: " + new string('[', depth) + new string(']', depth) + "\n");

        var result = await ShoalCli.RunAsync(_dir, "validate");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: shoal.yml:1:74: nested more than 64 levels deep\n", result.Stderr);
    }

    [Fact]
    public async Task Validate_DurationOf1e20_Exits1WithTheLargestAllowed()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "shoal.yml"), "services:\n  app:\n    command: [x]\n    health: { interval: 1e20 }\n");

        var result = await ShoalCli.RunAsync(_dir, "validate");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: shoal.yml:4:25: services.app.health.interval: 1e20 is out of range; allowed 10ms to 1h\n", result.Stderr);
    }

    [Fact]
    public async Task Cli_InternalErrorInAStackDirectory_Exits70WithOneLineAndTheTraceInTheStackLog()
    {
        Directory.CreateDirectory(Path.Combine(_dir, ".shoal"));

        var result = await RunWithInternalErrorAsync("validate");

        var log = Path.Combine(_dir, ".shoal", "shoal.log");
        Assert.Equal(70, result.ExitCode);
        Assert.Equal($"error: internal error: simulated bug (details in {log})\n", result.Stderr);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        var trace = await File.ReadAllTextAsync(log);
        Assert.Contains("System.InvalidOperationException: simulated bug", trace, StringComparison.Ordinal);
        Assert.Contains("   at ", trace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_InternalErrorElsewhere_Exits70WithTheTraceInAPrivateTempFile()
    {
        var result = await RunWithInternalErrorAsync("ps");

        Assert.Equal(70, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var log = line[(line.IndexOf("(details in ", StringComparison.Ordinal) + "(details in ".Length)..^1];
        try
        {
            Assert.StartsWith("error: internal error: simulated bug (details in ", line, StringComparison.Ordinal);
            Assert.StartsWith(Path.Combine(Path.GetTempPath(), "shoal-error-"), log, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log));
            }

            Assert.Contains("   at ", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    private async Task<ProcessRunner.Result> RunWithInternalErrorAsync(params string[] arguments)
    {
        await ShoalCli.EnsureBuiltAsync();
        return await ProcessRunner.RunAsync(RepoPaths.Shoal, arguments, _dir, TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["SHOAL_TEST_INTERNAL_ERROR"] = "simulated bug" });
    }
}
