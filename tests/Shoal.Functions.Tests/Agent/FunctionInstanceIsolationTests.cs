using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Processes;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Agent;

/// <summary>What an instance asks its runtime for (limits, user, isolation), how an OOM kill ends it, and how <c>idle: freeze</c> freezes and thaws it.</summary>
public sealed class FunctionInstanceIsolationTests : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-isolation-test-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeProcessRuntime _runtime = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private FunctionInstance? _instance;

    private FakeProcess Process => _runtime.Processes["i-1"];

    private string Next => $"http://{Process.RuntimeApi}/2018-06-01/runtime/invocation/next";

    public async ValueTask DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.StopAsync(TimeSpan.Zero);
            await _instance.DisposeAsync();
        }

        _http.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private async Task<FunctionInstance> StartAsync(FunctionConfiguration function, ProcessUser? user = null)
    {
        _instance = new FunctionInstance("i-1", "owner", function, _time, NullLogger.Instance);
        await _instance.StartAsync(_runtime, Path.Combine(_state, "logs"), user, _state, CancellationToken.None);
        return _instance;
    }

    private FunctionConfiguration Function(bool freeze = false) => new()
    {
        Name = "fn",
        Command = ["bootstrap"],
        CodeDirectory = "/original/code",
        MemoryMb = 128,
        FreezeWhenIdle = freeze,
    };

    [Fact]
    public async Task StartAsync_Default_LimitsPidsTo512_AndBindsTheCodeReadOnly_AsTheAgent()
    {
        await StartAsync(Function());

        var spec = Assert.Single(_runtime.Specs);
        Assert.Equal(new ResourceLimits(128L * 1024 * 1024, null, FunctionConfiguration.DefaultMaxProcesses), spec.Limits);
        Assert.Equal(new IsolationOptions { ReadOnlyWorkingDirectory = true }, spec.Isolation);
        Assert.Null(spec.User);
        Assert.False(spec.Environment.ContainsKey("HOME"));
        Assert.Equal(_state, spec.WorkingDirectory);
        Assert.Equal(_state, spec.Environment["LAMBDA_TASK_ROOT"]);
    }

    [Fact]
    public async Task StartAsync_WithUserAndLimits_PassesThemOn_AndGivesTheUserTmpAsHome()
    {
        var user = new ProcessUser("shoal-fn", 999, 998);
        var function = Function() with { Runtime = RuntimeKind.Sandbox, Network = NetworkMode.Isolated, Cpus = 0.25, MaxProcesses = 32, Image = "/images/rootfs" };

        var instance = await StartAsync(function, user);

        var spec = Assert.Single(_runtime.Specs);
        Assert.Equal(new ResourceLimits(128L * 1024 * 1024, 0.25, 32), spec.Limits);
        Assert.Equal(new IsolationOptions { Image = "/images/rootfs", Network = NetworkMode.Isolated, ReadOnlyWorkingDirectory = true }, spec.Isolation with { Lease = null });

        // The Runtime API listens where an instance in its own network namespace can reach it: the host's end of the bridge.
        Assert.StartsWith(spec.Isolation.Lease!.HostAddress + ":", spec.Environment["AWS_LAMBDA_RUNTIME_API"], StringComparison.Ordinal);
        Assert.Same(user, spec.User);
        Assert.Equal("/tmp", spec.Environment["HOME"]);
        var described = instance.Describe();
        Assert.Equal(("sandbox", "shoal-fn", 0.25, 32), (described.Runtime, described.User, described.CpuLimit, described.PidsLimit));
    }

    [Fact]
    public async Task Describe_ReportsTheRuntimesUsage()
    {
        var instance = await StartAsync(Function());
        Process.Usage = new ResourceUsage(TimeSpan.FromSeconds(1.5), 42 * 1024 * 1024, 7, 2);

        var described = instance.Describe();

        Assert.Equal(Process.Usage, described.Usage);
        Assert.Equal(2, described.OomKills);
    }

    [Fact]
    public async Task OomKill_FailsTheRunningInvocation_WithRuntimeOutOfMemory_AndCountsIt()
    {
        var instance = await StartAsync(Function());
        var next = _http.GetAsync(Next);
        var invocation = instance.InvokeAsync("req-1", "{}"u8.ToArray());
        (await next).Dispose();

        Process.OomKilled = true;
        Process.Exit(137);
        var result = await invocation.WaitAsync(s_wait);

        Assert.Equal(InvokeResultKind.Crash, result.Kind);
        Assert.Equal("Runtime.OutOfMemory", result.ErrorType);
        Assert.Equal("RequestId: req-1 Error: Runtime exited with error: signal: killed (out of memory: the function reached its memory size of 128 MB)", result.ErrorMessage);
        Assert.True(result.InstanceGone);
        Assert.False(result.NotRun);
        var described = instance.Describe();
        Assert.Equal((InstanceState.Exited, true, 1), (described.State, described.OomKilled, described.OomKills));
    }

    [Fact]
    public async Task Kill_NotAtTheMemoryLimit_StaysAnExitError()
    {
        var instance = await StartAsync(Function());
        Process.Exit(137);
        await Poll.UntilAsync(() => instance.Describe().State == InstanceState.Exited, s_wait, "the exit to be seen");

        var result = await instance.InvokeAsync("req-1", "{}"u8.ToArray());

        Assert.Equal("Runtime.ExitError", result.ErrorType);
        Assert.False(instance.Describe().OomKilled);
    }

    [Fact]
    public async Task FreezeWhenIdle_FreezesAfterTheDelayInNext_AndTheNextInvocationThawsIt()
    {
        var instance = await StartAsync(Function(freeze: true));
        var next = _http.GetAsync(Next);
        await Poll.UntilAsync(() => instance.Describe().State == InstanceState.Running, s_wait, "the runtime to wait in next");

        // The runtime's next registers its idleness just after it is seen waiting: step the clock until the freeze.
        var waited = TimeSpan.Zero;
        await Poll.UntilAsync(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            waited += TimeSpan.FromMilliseconds(10);
            return instance.Describe().State == InstanceState.Paused;
        }, s_wait, "the idle instance to be frozen");
        Assert.True(waited >= FunctionInstance.FreezeDelay, $"frozen after {waited.TotalMilliseconds} ms idle");
        Assert.Equal((1, 0), (Process.Pauses, Process.Resumes));

        var invocation = instance.InvokeAsync("req-1", "{}"u8.ToArray());
        using var handed = await next.WaitAsync(s_wait);

        Assert.Equal(1, Process.Resumes);
        Assert.Equal("req-1", handed.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single());
        Assert.Equal(InstanceState.Running, instance.Describe().State);
        using var answer = await _http.PostAsync($"http://{Process.RuntimeApi}/2018-06-01/runtime/invocation/req-1/response", new StringContent("\"ok\""));
        Assert.False((await invocation.WaitAsync(s_wait)).IsError);
    }

    [Fact]
    public async Task FreezeWhenIdle_DoesNotFreezeAnInstanceThatIsRunningAnInvocation()
    {
        var instance = await StartAsync(Function(freeze: true));
        var next = _http.GetAsync(Next);
        await Poll.UntilAsync(() => instance.Describe().State == InstanceState.Running, s_wait, "the runtime to wait in next");
        _ = instance.InvokeAsync("req-1", "{}"u8.ToArray());
        (await next.WaitAsync(s_wait)).Dispose();

        _time.Advance(FunctionInstance.FreezeDelay * 10);

        Assert.Equal(0, Process.Pauses);
        Assert.NotEqual(InstanceState.Paused, instance.Describe().State);
    }

    [Fact]
    public async Task IdleStop_NeverFreezes()
    {
        var instance = await StartAsync(Function());
        var next = _http.GetAsync(Next);
        await Poll.UntilAsync(() => instance.Describe().State == InstanceState.Running, s_wait, "the runtime to wait in next");

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, Process.Pauses);
        await instance.StopAsync(TimeSpan.Zero);
        (await next.WaitAsync(s_wait)).Dispose();
    }
}
