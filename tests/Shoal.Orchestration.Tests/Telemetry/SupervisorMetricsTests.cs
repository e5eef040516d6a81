using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.Telemetry;
using Shoal.Orchestration.Tests.Lifecycle;
using Shoal.Testing;
using Shoal.Testing.Telemetry;

namespace Shoal.Orchestration.Tests.Telemetry;

/// <summary>Restarts and crash loops counted by the real supervisor (processes faked). The meter is the process's: the service has a name no other test uses.</summary>
public sealed class SupervisorMetricsTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly FakeProcessRuntime _runtime = new();
    private readonly FakeTimeProvider _time = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-sup-metrics-").FullName;
    private readonly MeterRecorder _recorded = new(SupervisorMetrics.Meter);
    private StackSupervisor? _supervisor;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _recorded.Dispose();
        if (_supervisor is not null)
        {
            await _supervisor.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task EachRestartCounted_ThenTheCrashLoopOnce()
    {
        var stack = StackFileLoader.Parse("services:\n  loopy:\n    command: [x]\n    restart: { backoff: 1s, max_backoff: 1s, max_restarts: 2, window: 1m }\n", Path.Combine(_dir, "shoal.yml"), "shoal.yml");
        var commands = stack.Services.ToDictionary(s => s.Name, s => new ResolvedCommand(s.Command!, false));
        _supervisor = new StackSupervisor(stack, commands, new FakeRuntimeProvider(_runtime), new InMemoryServiceCatalog(), new FakeHealthProbe(), new NoDrain(), _time, NullLoggerFactory.Instance);
        _supervisor.Start();
        await Poll.UntilAsync(() => _runtime.Of("loopy-1").Length == 1, s_wait, "start 1");
        for (var crash = 1; crash <= 2; crash++)
        {
            _runtime.Of("loopy-1")[crash - 1].Exit(1);
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                return _runtime.Of("loopy-1").Length == crash + 1;
            }, s_wait, $"start {crash + 1}");
        }

        Assert.Equal(2, _recorded.Sum("shoal.supervisor.restarts", ("service", "loopy")));
        Assert.Equal(0, _recorded.Sum("shoal.supervisor.crash_loops", ("service", "loopy")));
        _runtime.Of("loopy-1")[2].Exit(1);
        await Poll.UntilAsync(() => _supervisor.Snapshot().Services.Single().Replicas.Single().State == ReplicaState.Failed, s_wait, "given up");

        Assert.Equal(1, _recorded.Sum("shoal.supervisor.crash_loops", ("service", "loopy")));
        Assert.Equal(2, _recorded.Sum("shoal.supervisor.restarts", ("service", "loopy")));
    }
}
