using Shoal.Orchestration.Health;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Health;

/// <summary>The exec health check: a real command, exit 0 passes, the deadline kills it, the daemon's secrets stay out.</summary>
public sealed class ExecProbeTests : IDisposable
{
    private readonly HealthProbe _probe = new();

    public void Dispose() => _probe.Dispose();

    private static HealthCheckDefinition Check(params string[] argv) =>
        new() { Kind = HealthCheckKind.Exec, Command = argv, Timeout = TimeSpan.FromSeconds(5), Environment = new Dictionary<string, string> { ["GREETING"] = "hi" } };

    [Fact]
    public async Task Probe_ExitZero_Passes_AndSeesPortAndTheServiceEnvironment()
    {
        var result = await _probe.ProbeAsync(Check("sh", "-c", "test \"$PORT:$GREETING\" = 4321:hi"), 4321, CancellationToken.None);

        Assert.True(result.Passed, result.Message);
        Assert.Equal("exit 0", result.Message);
    }

    [Fact]
    public async Task Probe_NonZeroExit_Fails_WithWhatTheCommandSaid()
    {
        var result = await _probe.ProbeAsync(Check("sh", "-c", "echo not ready >&2; exit 3"), 0, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Equal("exit 3: not ready", result.Message);
    }

    [Fact]
    public async Task Probe_MissingProgram_FailsWithItsName()
    {
        var result = await _probe.ProbeAsync(Check("/nonexistent/pg_isready"), 0, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.StartsWith("cannot run '/nonexistent/pg_isready'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_PastItsTimeout_FailsAndKillsTheCommand()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"shoal-exec-{Guid.NewGuid():N}");
        var check = Check("sh", "-c", $"echo $$ > {marker}; exec sleep 60") with { Timeout = TimeSpan.FromMilliseconds(300) };

        var result = await _probe.ProbeAsync(check, 0, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.StartsWith("no answer within", result.Message, StringComparison.Ordinal);
        var pid = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(marker);
        await Shoal.Testing.Poll.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), TimeSpan.FromSeconds(5), "the timed-out command to be killed");
    }

    [Fact]
    public async Task Probe_DoesNotPassTheAdminToken()
    {
        Environment.SetEnvironmentVariable("SHOAL_ADMIN_TOKEN", "secret-of-the-daemon");
        try
        {
            var result = await _probe.ProbeAsync(Check("sh", "-c", "test -z \"$SHOAL_ADMIN_TOKEN\""), 0, CancellationToken.None);

            Assert.True(result.Passed, result.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHOAL_ADMIN_TOKEN", null);
        }
    }
}
