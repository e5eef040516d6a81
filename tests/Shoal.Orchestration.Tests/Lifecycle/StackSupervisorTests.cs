using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;
using Shoal.Testing;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class StackSupervisorTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly FakeProcessRuntime _runtime = new();
    private readonly FakeHealthProbe _probe = new();
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryServiceCatalog _catalog = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-sup-").FullName;
    private StackSupervisor? _supervisor;
    private TaskCompletionSource? _release;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // A test that failed while holding a drain must not hang the stop.
        _release?.TrySetResult();
        if (_supervisor is not null)
        {
            await _supervisor.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private StackSupervisor Start(string servicesYaml, IInstanceDrainer? drainer = null)
    {
        var stack = StackFileLoader.Parse("services:\n" + servicesYaml, Path.Combine(_dir, "shoal.yml"), "shoal.yml");
        var commands = stack.Services.ToDictionary(s => s.Name, s => new ResolvedCommand(s.Command!, false));
        _supervisor = new StackSupervisor(stack, commands, new FakeRuntimeProvider(_runtime), _catalog, _probe, drainer ?? new NoDrain(), _time, NullLoggerFactory.Instance);
        _supervisor.Start();
        return _supervisor;
    }

    private ReplicaSnapshot Replica(string id) => _supervisor!.Snapshot().Services.SelectMany(s => s.Replicas).Single(r => r.Id == id);

    [Fact]
    public async Task Start_ReplicasGetShoalVariablesAndDistinctPorts()
    {
        Start("  app:\n    command: [run, --port, '${PORT}']\n    replicas: 2\n    port: auto\n    env: { ME: '${SHOAL_INSTANCE_ID}' }\n");

        await Poll.UntilAsync(() => _runtime.Started.Count == 2, s_wait, "two processes");
        var specs = _runtime.Started.Select(p => p.Spec).OrderBy(s => s.Name).ToList();
        Assert.Equal(["app-1", "app-2"], specs.Select(s => s.Name));
        Assert.Equal("app-1", specs[0].Environment["SHOAL_INSTANCE_ID"]);
        Assert.Equal("app-1", specs[0].Environment["ME"]);
        Assert.Equal("app", specs[0].Environment["SHOAL_SERVICE"]);
        Assert.NotEqual(specs[0].Environment["PORT"], specs[1].Environment["PORT"]);
        Assert.Equal(["--port", specs[1].Environment["PORT"]], specs[1].Arguments);
        Assert.Equal("run", specs[0].FileName);
    }

    [Fact]
    public async Task HealthCheck_PassesThenFails_MovesReplicaInAndOutOfTheCatalogRotation()
    {
        Start("  app:\n    command: [x]\n    port: auto\n    health: { http: /health, interval: 1s, unhealthy_threshold: 2 }\n");
        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Healthy, s_wait, "app-1 healthy");
        Assert.True(_catalog.Current.Instances.Single().IsRoutable);

        _probe.DefaultHealthy = false;
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return Replica("app-1").State == ReplicaState.Unhealthy;
        }, s_wait, "app-1 unhealthy");

        Assert.Equal(InstanceHealth.Critical, _catalog.Current.Instances.Single().Health);
        Assert.Equal("HTTP 503", Replica("app-1").Message);
    }

    /// <summary>Advances fake time in 100 ms steps until <paramref name="done"/>; returns the fake time that took.</summary>
    private async Task<TimeSpan> AdvanceUntilAsync(Func<bool> done, string what)
    {
        var elapsed = TimeSpan.Zero;
        await Poll.UntilAsync(() =>
        {
            if (done())
            {
                return true;
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
            elapsed += TimeSpan.FromMilliseconds(100);
            return false;
        }, TimeSpan.FromSeconds(20), what);
        return elapsed;
    }

    [Fact]
    public async Task HealthCheck_ProbesGetNoAnswer_FallWithinIntervalTimesThresholdPlusTimeout_ThenRiseAfterHealthyThresholdPasses()
    {
        Start("  app:\n    command: [x]\n    port: auto\n    health: { http: /health, interval: 1s, timeout: 1s, unhealthy_threshold: 3, healthy_threshold: 2 }\n");
        await AdvanceUntilAsync(() => Replica("app-1").State == ReplicaState.Healthy, "app-1 healthy");

        // A frozen replica: probes connect but never answer; each times out.
        _probe.Hang = true;
        var fell = await AdvanceUntilAsync(() => Replica("app-1").State == ReplicaState.Unhealthy, "app-1 unhealthy");
        Assert.True(fell <= TimeSpan.FromSeconds(4), $"unhealthy after {fell.TotalSeconds:0.0} s of fake time; interval 1 s x 3 + timeout 1 s allows 4 s");
        Assert.Equal("no answer within 1s", Replica("app-1").Message);
        Assert.Equal(InstanceHealth.Critical, _catalog.Current.Instances.Single().Health);

        _probe.Hang = false;
        var rose = await AdvanceUntilAsync(() => Replica("app-1").State == ReplicaState.Healthy, "app-1 healthy again");
        Assert.InRange(rose, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.2));
    }

    [Fact]
    public async Task ProcessExits_RestartAlways_RestartsAfterTheBackoff()
    {
        Start("  app:\n    command: [x]\n    restart: { policy: always, backoff: 2s }\n");
        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "first start");

        _runtime.Of("app-1")[0].Exit(137);
        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Restarting, s_wait, "restarting");
        Assert.Equal("exited with code 137; restarting in 2s", Replica("app-1").Message);
        Assert.Single(_runtime.Of("app-1"));

        // Advance in small steps: the restart timer may not be armed yet when the state turns Restarting.
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return _runtime.Of("app-1").Length == 2;
        }, s_wait, "second start");
        Assert.Equal(ReplicaState.Starting, Replica("app-1").State);

        // Without a health check a replica counts as healthy once it has stayed up for the start period.
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return Replica("app-1").State == ReplicaState.Healthy;
        }, s_wait, "healthy again");
        Assert.Equal(1, Replica("app-1").Restarts);
    }

    [Fact]
    public async Task ProcessCrashesRepeatedly_BackoffDoublesThenCrashLoopGivesUp()
    {
        Start("  app:\n    command: [x]\n    restart: { backoff: 1s, max_backoff: 3s, max_restarts: 3, window: 1m }\n");
        var delays = new List<string>();
        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "start 1");
        for (var crash = 1; crash <= 3; crash++)
        {
            _runtime.Of("app-1")[crash - 1].Exit(1);
            await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Restarting, s_wait, "restarting");
            delays.Add(Replica("app-1").Message!);
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                return _runtime.Of("app-1").Length == crash + 1;
            }, s_wait, $"start {crash + 1}");
        }

        _runtime.Of("app-1")[3].Exit(1);

        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Failed, s_wait, "given up");
        Assert.Equal(["exited with code 1; restarting in 1s", "exited with code 1; restarting in 2s", "exited with code 1; restarting in 3s"], delays);
        Assert.StartsWith("crash loop: exited 4 times within 1m (last exit code 1)", Replica("app-1").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessExitsCleanly_OnFailurePolicy_StaysExited()
    {
        Start("  job:\n    command: [x]\n    restart: on-failure\n");
        await Poll.UntilAsync(() => _runtime.Of("job-1").Length == 1, s_wait, "start");

        _runtime.Of("job-1")[0].Exit(0);

        await Poll.UntilAsync(() => Replica("job-1").State == ReplicaState.Exited, s_wait, "exited");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(_runtime.Of("job-1"));
    }

    [Fact]
    public async Task ProgramMissing_FailsAtOnceWithTheReason()
    {
        _runtime.FailStart = spec => new Shoal.Processes.ProcessStartException($"{spec.Name}: 'nope' was not found");
        Start("  app:\n    command: [nope]\n");

        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Failed, s_wait, "failed");
        Assert.Equal("app-1: 'nope' was not found", Replica("app-1").Message);
    }

    [Fact]
    public async Task DependsOnHealthy_WaitsForTheDependencyToPass()
    {
        _probe.DefaultHealthy = false;
        Start("  web:\n    command: [x]\n    depends_on: { db: { condition: healthy } }\n  db:\n    command: [x]\n    port: auto\n    health: { tcp: true }\n");
        await Poll.UntilAsync(() => _runtime.Of("db-1").Length == 1, s_wait, "db started");
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Empty(_runtime.Of("web-1"));

        _probe.DefaultHealthy = true;
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return _runtime.Of("web-1").Length == 1;
        }, s_wait, "web started");
    }

    [Fact]
    public async Task DependsOnCompleted_StartsTheDependantOnlyOnceTheJobExitedZero_AndTheJobIsNotRestarted()
    {
        Start("  app:\n    command: [x]\n    depends_on: { migrate: { condition: completed } }\n  migrate:\n    command: [x]\n");
        await Poll.UntilAsync(() => _runtime.Of("migrate-1").Length == 1, s_wait, "migrate started");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(_runtime.Of("app-1"));

        _runtime.Of("migrate-1")[0].Exit(0);

        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "app started");
        Assert.Equal(ReplicaState.Exited, Replica("migrate-1").State);
        Assert.Equal("completed (exited with code 0)", Replica("migrate-1").Message);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(_runtime.Of("migrate-1"));
        var migrate = _supervisor!.ServiceSnapshot("migrate")!;
        Assert.True(migrate.IsCompleted && migrate.IsHealthy && migrate.Failure is null);
    }

    [Fact]
    public async Task DependsOnCompleted_JobExitsNonZero_RefusesTheDependantWithComposesMessage()
    {
        Start("  app:\n    command: [x]\n    replicas: 2\n    depends_on: { migrate: { condition: completed } }\n  migrate:\n    command: [x]\n");
        await Poll.UntilAsync(() => _runtime.Of("migrate-1").Length == 1, s_wait, "migrate started");

        _runtime.Of("migrate-1")[0].Exit(1);

        await Poll.UntilAsync(() => _supervisor!.ServiceSnapshot("app")!.Replicas.Count == 2, s_wait, "app refused");
        Assert.All(_supervisor!.ServiceSnapshot("app")!.Replicas, r =>
        {
            Assert.Equal(ReplicaState.Failed, r.State);
            Assert.Equal("service \"migrate\" didn't complete successfully: exit 1", r.Message);
        });
        Assert.Empty(_runtime.Of("app-1"));
    }

    [Fact]
    public async Task DependsOnCompleted_Refusing_HoldsNoLockWhileChangeHandlersRun()
    {
        // As the daemon's event publisher does: a handler that takes a snapshot, here from another thread. Refusing the
        // dependant under its runner's lock deadlocked the daemon against such a handler.
        var supervisor = Start("  app:\n    command: [x]\n    depends_on: { migrate: { condition: completed } }\n  migrate:\n    command: [x]\n");
        var blocked = 0;
        supervisor.Changed += () =>
        {
            if (!Task.Run(supervisor.Snapshot).Wait(TimeSpan.FromSeconds(5)))
            {
                Interlocked.Exchange(ref blocked, 1);
            }
        };
        await Poll.UntilAsync(() => _runtime.Of("migrate-1").Length == 1, s_wait, "migrate started");

        _runtime.Of("migrate-1")[0].Exit(1);

        await Poll.UntilAsync(() => _supervisor!.ServiceSnapshot("app")!.Replicas is [{ State: ReplicaState.Failed }], TimeSpan.FromSeconds(20), "app refused");
        Assert.Equal(0, Volatile.Read(ref blocked));
    }

    [Fact]
    public async Task DependsOnCompleted_OnFailureJobRetries_TheDependantWaitsForTheRetryThatSucceeds()
    {
        Start("  app:\n    command: [x]\n    depends_on: { migrate: { condition: completed } }\n  migrate:\n    command: [x]\n    restart: { policy: on-failure, backoff: 1s }\n");
        await Poll.UntilAsync(() => _runtime.Of("migrate-1").Length == 1, s_wait, "migrate started");

        _runtime.Of("migrate-1")[0].Exit(1);
        await AdvanceUntilAsync(() => _runtime.Of("migrate-1").Length == 2, "migrate retried");
        Assert.Empty(_runtime.Of("app-1"));
        Assert.DoesNotContain(_supervisor!.ServiceSnapshot("app")!.Replicas, r => r.State == ReplicaState.Failed);

        _runtime.Of("migrate-1")[1].Exit(0);

        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "app started");
    }

    [Fact]
    public async Task ScaleDown_DrainsThenStopsTheHighestIndexes()
    {
        var drainer = new RecordingDrainer();
        var supervisor = Start("  app:\n    command: [x]\n    replicas: 3\n    port: auto\n", drainer);
        await Poll.UntilAsync(() => _catalog.Current.Instances.Count(i => i.IsRoutable) == 3, s_wait, "three routable");

        await supervisor.ScaleAsync("app", 1, CancellationToken.None);

        Assert.Equal(["app-2", "app-3"], drainer.Drained.Select(i => i.Id).Order());
        Assert.All(drainer.Drained, i => Assert.True(i.Draining));
        Assert.True(_runtime.Of("app-2")[0].StopRequested);
        Assert.True(_runtime.Of("app-3")[0].StopRequested);
        Assert.False(_runtime.Of("app-1")[0].StopRequested);
        Assert.Equal(["app-1"], _catalog.Current.Instances.Select(i => i.Id));
    }

    [Fact]
    public async Task Stop_StopsDependentsBeforeTheirDependencies()
    {
        var drainer = new RecordingDrainer();
        var supervisor = Start("  web:\n    command: [x]\n    port: auto\n    depends_on: [db]\n  db:\n    command: [x]\n    port: auto\n", drainer);
        await Poll.UntilAsync(() => _catalog.Current.Instances.Count(i => i.IsRoutable) == 2, s_wait, "both routable");

        await supervisor.StopAsync(CancellationToken.None);

        Assert.Equal(["web-1", "db-1"], drainer.Drained.Select(i => i.Id));
        Assert.Empty(_catalog.Current.Instances);
    }

    [Fact]
    public async Task PromoteVersion_EveryReplicaStaysInTheSnapshot_WhileTheNewOnesTurnHealthyAndTheOldOnesDrain()
    {
        var drainer = new GateDrainer();
        _release = drainer.Release;
        var supervisor = Start("  app:\n    command: [x]\n    port: auto\n    health: { http: /health }\n", drainer);
        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Healthy, s_wait, "app-1 healthy");
        string[] Ids() => [.. supervisor.Snapshot().Services.SelectMany(s => s.Replicas).Select(r => r.Id).Order()];

        // The new version's replica fails its checks until the test lets it pass, so promotion waits for it.
        _probe.DefaultHealthy = false;
        await supervisor.StartVersionAsync("app", "2.0.0", null, new Dictionary<string, string>(), 1, CancellationToken.None);
        var promoting = supervisor.PromoteVersionAsync("app", "2.0.0", CancellationToken.None);
        await Poll.UntilAsync(() => supervisor.Snapshot().Services.SelectMany(s => s.Replicas).Any(r => r.Id.StartsWith("app-v", StringComparison.Ordinal) && r.Message == "health check: HTTP 503"), s_wait, "the new replica checked");
        Assert.False(promoting.IsCompleted);
        Assert.Equal(["app-1", "app-v2-0-0-1"], Ids());

        // Healthy now: the old replica drains (held by the test) and stays listed while it does.
        _probe.DefaultHealthy = true;
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return drainer.Draining.Task.IsCompleted;
        }, s_wait, "app-1 draining");
        Assert.Equal(["app-1", "app-v2-0-0-1"], Ids());

        drainer.Release.SetResult();
        await promoting.WaitAsync(s_wait);
        Assert.Equal(["app-v2-0-0-1"], Ids());
        Assert.Equal("2.0.0", supervisor.VersionOf("app"));
        Assert.True(_runtime.Of("app-1")[0].StopRequested);
    }

    /// <summary>Holds every drain until the test releases it.</summary>
    private sealed class GateDrainer : IInstanceDrainer
    {
        public TaskCompletionSource Draining { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task DrainAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Draining.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class RecordingDrainer : IInstanceDrainer
    {
        public List<ServiceInstance> Drained { get; } = [];

        public Task DrainAsync(ServiceInstance instance, TimeSpan timeout, CancellationToken cancellationToken)
        {
            lock (Drained)
            {
                Drained.Add(instance);
            }

            return Task.CompletedTask;
        }
    }
}
