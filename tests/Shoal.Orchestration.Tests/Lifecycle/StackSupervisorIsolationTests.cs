using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Configuration;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;
using Shoal.Processes;
using Shoal.Orchestration.Tests.Stack;
using Shoal.Testing;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>The supervisor's side of isolation: the runtime and user per service, the limits in each spec, OOM kills, live usage.</summary>
public sealed class StackSupervisorIsolationTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly FakeProcessRuntime _runtime = new();
    private readonly FakeHealthProbe _probe = new();
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryServiceCatalog _catalog = new();
    private readonly RecordingLoggerFactory _logs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-iso-").FullName;
    private readonly FakeRuntimeProvider _provider;
    private StackSupervisor? _supervisor;

    public StackSupervisorIsolationTests() => _provider = new FakeRuntimeProvider(_runtime);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_supervisor is not null)
        {
            await _supervisor.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static (Processes.ProcessUser?, string?) Users(string text) => text switch
    {
        "nobody" or "65534" => (new Processes.ProcessUser("nobody", 65534, 65534), null),
        _ => (null, $"no user '{text}' in /etc/passwd"),
    };

    private StackSupervisor Create(string servicesYaml, uint daemonUid = 0)
    {
        var stack = StandardStack.Parse("services:\n" + servicesYaml, Path.Combine(_dir, "shoal.yml"), "shoal.yml");
        var commands = stack.Services.ToDictionary(s => s.Name, s => new ResolvedCommand(s.Command!, false));
        return new StackSupervisor(stack, commands, _provider, _catalog, _probe, new NoDrain(), _time, _logs, "", Users, daemonUid);
    }

    private StackSupervisor Start(string servicesYaml)
    {
        _supervisor = Create(servicesYaml);
        _supervisor.Start();
        return _supervisor;
    }

    private ReplicaSnapshot Replica(string id) => _supervisor!.Snapshot().Services.SelectMany(s => s.Replicas).Single(r => r.Id == id);

    [Fact]
    public async Task Start_EachServiceInItsRuntime_WithItsLimitsUserAndIsolation()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "rootfs"));
        Start("  app:\n    command: [x]\n    runtime: sandbox\n    user: nobody\n    resources: { cpus: 0.25, memory: 64M, pids: 32 }\n"
            + "  box:\n    command: [y]\n    runtime: oci\n    image: rootfs\n    network: isolated\n");

        await Poll.UntilAsync(() => _runtime.Started.Count == 2, s_wait, "two processes");
        Assert.Equal([RuntimeKind.Sandbox, RuntimeKind.Oci], _provider.Asked);
        var app = _runtime.Of("app-1").Single().Spec;
        Assert.Equal(new ResourceLimits(64L << 20, 0.25, 32), app.Limits);
        Assert.Equal(new Processes.ProcessUser("nobody", 65534, 65534), app.User);
        Assert.Equal(IsolationOptions.Default, app.Isolation);
        var box = _runtime.Of("box-1").Single().Spec;
        Assert.Equal(new IsolationOptions { Image = Path.Combine(_dir, "rootfs"), Network = NetworkMode.Isolated }, box.Isolation with { Lease = null });

        // An isolated replica listens on its address on the stack's bridge, which it keeps from before its start.
        Assert.Equal(box.Isolation.Lease!.Address.ToString(), box.Environment["SHOAL_ADDRESS"]);
        Assert.Null(box.User);
        Assert.Equal(ResourceLimits.None, box.Limits);

        var snapshot = Replica("app-1");
        Assert.Equal("sandbox", snapshot.Runtime);
        Assert.Equal("nobody", snapshot.User);
        Assert.Equal(new ReplicaLimits { Cpus = 0.25, MemoryBytes = 64L << 20, Pids = 32 }, snapshot.Limits);
        Assert.Null(Replica("box-1").Limits);
    }

    [Fact]
    public void Create_RuntimeCannotRunHere_FailsNamingServiceAndField()
    {
        _provider.Missing[RuntimeKind.Oci] = "runc was not found on PATH; install runc (apt-get install runc)";
        Directory.CreateDirectory(Path.Combine(_dir, "rootfs"));

        var error = Assert.Throws<ConfigFileException>(() => Create("  app:\n    command: [x]\n  box:\n    command: [y]\n    runtime: oci\n    image: rootfs\n"));

        Assert.Equal("shoal.yml:6:14: services.box.runtime: runtime oci cannot run here: runc was not found on PATH; install runc (apt-get install runc)", error.Message);
    }

    [Fact]
    public void Create_UnknownUser_FailsNamingServiceAndField()
    {
        var error = Assert.Throws<ConfigFileException>(() => Create("  app:\n    command: [x]\n    user: ghost\n"));

        Assert.Equal("shoal.yml:4:11: services.app.user: no user 'ghost' in /etc/passwd", error.Message);
    }

    [Fact]
    public void Create_AnotherUserWithoutRoot_Refused()
    {
        var error = Assert.Throws<ConfigFileException>(() => Create("  app:\n    command: [x]\n    user: nobody\n", daemonUid: 1000));

        Assert.Equal("shoal.yml:4:11: services.app.user: running as nobody (uid 65534) needs Shoal to run as root; it runs as uid 1000", error.Message);
    }

    [Fact]
    public async Task OomKilled_ReportedInStateLogAndMessage_ThenReplacedAsACrash()
    {
        Start("  app:\n    command: [x]\n    resources: { memory: 256M }\n    restart: { backoff: 1s }\n");
        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "start");

        _runtime.Of("app-1")[0].KillAtMemoryLimit();

        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Restarting, s_wait, "restarting");
        var replica = Replica("app-1");
        Assert.Equal(ExitReasons.OomKilled, replica.LastExitReason);
        Assert.Equal(1, replica.OomKills);
        Assert.Equal(137, replica.LastExitCode);
        Assert.Equal("killed at its memory limit (256 MiB); restarting in 1s", replica.Message);
        Assert.Contains("app-1 was killed at its memory limit (256 MiB)", _logs.Messages);
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return _runtime.Of("app-1").Length == 2;
        }, s_wait, "replaced");
        await Poll.UntilAsync(() => Replica("app-1").Restarts == 1, s_wait, "restart counted");
    }

    [Fact]
    public async Task OomKilledRepeatedly_CrashLoopDetected()
    {
        Start("  app:\n    command: [x]\n    resources: { memory: 64M }\n    restart: { backoff: 1s, max_restarts: 2, window: 1m }\n");
        for (var kill = 1; kill <= 3; kill++)
        {
            await Poll.UntilAsync(() =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                return _runtime.Of("app-1").Length == kill;
            }, s_wait, $"start {kill}");
            _runtime.Of("app-1")[kill - 1].KillAtMemoryLimit();
        }

        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Failed, s_wait, "given up");
        Assert.StartsWith("crash loop: exited 3 times within 1m (last killed at its memory limit (64 MiB))", Replica("app-1").Message, StringComparison.Ordinal);
        Assert.Equal(3, Replica("app-1").OomKills);
    }

    [Fact]
    public async Task PlainExit_ReasonExited_NoOomCounted()
    {
        Start("  app:\n    command: [x]\n    restart: { policy: never }\n");
        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "start");

        _runtime.Of("app-1")[0].Exit(137);

        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Exited, s_wait, "exited");
        Assert.Equal(ExitReasons.Signaled, Replica("app-1").LastExitReason);
        Assert.Equal(0, Replica("app-1").OomKills);
        Assert.Equal("exited with code 137", Replica("app-1").Message);
    }

    [Fact]
    public async Task Usage_SampledEveryInterval_CpuOverTheLastInterval()
    {
        Start("  app:\n    command: [x]\n");
        await Poll.UntilAsync(() => _runtime.Of("app-1").Length == 1, s_wait, "start");
        var process = _runtime.Of("app-1")[0];
        process.Usage = new ResourceUsage(TimeSpan.Zero, 10L << 20, 3, 0);
        await Poll.UntilAsync(() =>
        {
            _time.Advance(StackSupervisor.UsageInterval);
            return Replica("app-1").Usage is not null;
        }, s_wait, "first sample");

        process.Usage = process.Usage with { Cpu = TimeSpan.FromSeconds(StackSupervisor.UsageInterval.TotalSeconds / 4), MemoryBytes = 20L << 20 };
        await Poll.UntilAsync(() =>
        {
            _time.Advance(StackSupervisor.UsageInterval);
            return Replica("app-1").Usage is { MemoryBytes: 20L << 20 };
        }, s_wait, "second sample");

        var usage = Replica("app-1").Usage!;
        Assert.Equal(25, usage.CpuPercent, 1);
        Assert.Equal(0.5, usage.CpuSeconds, 3);
        Assert.Equal(3, usage.Pids);
        Assert.False(usage.ProcessOnly);

        process.Exit(1);
        await Poll.UntilAsync(() => Replica("app-1").State == ReplicaState.Restarting, s_wait, "exited");
        Assert.Null(Replica("app-1").Usage);
    }
}
