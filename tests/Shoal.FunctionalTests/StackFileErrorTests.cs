using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>A bad stack file is refused by the real CLI before anything starts, with file, line and field.</summary>
public sealed class ConfigErrorTests
{
    [Theory]
    [InlineData("services:\n  app:\n    command: [x]\n    replica: 2\n", "shoal.yml:4:5: services.app.replica: unknown field 'replica' (did you mean 'replicas'?)")]
    [InlineData("services:\n  app:\n    command: [x]\n    replicas: two\n", "shoal.yml:4:15: services.app.replicas: expected a whole number from 0 to 64, got 'two'")]
    [InlineData("services:\n  app:\n    replicas: 2\n", "shoal.yml:3:5: services.app: missing command: give 'command'")]
    [InlineData("services:\n  a:\n    command: [x]\n    depends_on: [b]\n  b:\n    command: [x]\n    depends_on: [a]\n", "shoal.yml:4:17: services.a.depends_on: cyclic dependency: a -> b -> a")]
    [InlineData("services:\n  a:\n    command: [x]\n    port: 7000\n  b:\n    command: [x]\n    port: 7000\n", "shoal.yml:7:11: services.b.port: port clash: port 7000 is already used by service 'a'")]
    public async Task Validate_BadFile_NamesFileLineAndField(string yaml, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-bad-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "shoal.yml"), yaml);

            var result = await ShoalCli.RunAsync(dir, "validate");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Up_BadFile_StartsNothing()
    {
        var stack = TestStack.Create("""
            gateway:
              listen: %gateway%
              admin: %admin%
            services:
              app:
                command: [dotnet, "%sample%"]
                port: auto
                health: { http: /api/health, intervall: 1s }
            """);
        await using var _ = stack;

        var up = await stack.ShoalAsync("up", "-d");

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("shoal.yml:8:34: services.app.health.intervall: unknown field 'intervall' (did you mean 'interval'?)", up.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(stack.Directory, ".shoal")));
    }
}
