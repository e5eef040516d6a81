using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Agent;

/// <summary>An instance's life around a fake process: what it asks the process runtime for, pause, exit and the init deadline.</summary>
public sealed class FunctionInstanceTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-instance-test-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeProcessRuntime _runtime = new();
    private FunctionInstance _instance = null!;

    private FakeProcess Process => _runtime.Processes["stack/fn/1"];

    public async Task InitializeAsync()
    {
        var function = new FunctionConfiguration
        {
            Name = "fn",
            Command = ["./bootstrap", "--flag"],
            Handler = "index.handler",
            CodeDirectory = _state,
            MemoryMb = 256,
            Environment = new Dictionary<string, string> { ["GREETING"] = "hi", ["TZ"] = "Europe/Paris" },
            InheritEnv = ["KEEP_ME"],
        };
        _instance = new FunctionInstance("stack/fn/1", "owner", function, _time, NullLogger.Instance);
        await _instance.StartAsync(_runtime, Path.Combine(_state, "logs"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _instance.StopAsync(TimeSpan.Zero);
        await _instance.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void StartAsync_AsksTheProcessRuntimeForTheBootstrap_WithTheMemoryLimitAndTheInstanceId()
    {
        var spec = Assert.Single(_runtime.Specs);
        Assert.Equal("fn/stack/fn/1", spec.Name);
        Assert.Equal("stack/fn/1", spec.InstanceId);
        Assert.Equal("./bootstrap", spec.FileName);
        Assert.Equal(["--flag"], spec.Arguments);
        Assert.Equal(256L * 1024 * 1024, spec.Limits.MemoryBytes);
        Assert.Equal(_state, spec.WorkingDirectory);
        Assert.Equal(Path.Combine(_state, "logs", "stack_fn_1.log"), spec.LogFile);
        Assert.Equal(["KEEP_ME"], spec.Inherit);
        Assert.Equal("hi", spec.Environment["GREETING"]);
        Assert.Equal("Europe/Paris", spec.Environment["TZ"]);
        Assert.Equal("256", spec.Environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]);
        Assert.Equal("$LATEST", spec.Environment["AWS_LAMBDA_FUNCTION_VERSION"]);
        Assert.Equal(Process.RuntimeApi, spec.Environment["AWS_LAMBDA_RUNTIME_API"]);
        var record = _instance.Record!;
        Assert.Equal(("stack/fn/1", "fn", "owner", int.MaxValue, 1L), (record.Id, record.Function, record.Owner, record.Pid, record.StartTime));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), record.StartedAtUnixMs);
        Assert.Empty(record.Cgroups);
    }

    [Fact]
    public void PauseAndResume_ReachTheProcessOnce_AndShowInTheState()
    {
        _instance.Pause();
        _instance.Pause();
        Assert.Equal(InstanceState.Paused, _instance.Describe().State);

        _instance.Resume();
        _instance.Resume();

        Assert.Equal((1, 1), (Process.Pauses, Process.Resumes));
        Assert.Equal(InstanceState.Starting, _instance.Describe().State);
    }

    [Fact]
    public async Task Exit_EndsTheInstanceForInvocations_AndIsDescribedWithItsCode()
    {
        Process.Exit(128 + 11);
        await Poll.UntilAsync(() => _instance.Describe().State == InstanceState.Exited, s_wait, "the instance to be seen exited");

        Assert.Equal(139, _instance.Describe().ExitCode);
        var result = await _instance.InvokeAsync("req-1", "{}"u8.ToArray());
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        // The event may be queued just before the exit is noticed (then the message names it) or after: it never runs.
        Assert.EndsWith(" Error: Runtime exited with error: signal: segmentation fault", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True(result.InstanceGone);
        Assert.True(result.NotRun);
    }

    [Fact]
    public async Task InitDeadline_WithoutANext_FailsTheInstance_AndKillsTheProcess()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        await Process.Exited.WaitAsync(s_wait);

        var result = await _instance.InvokeAsync("req-1", "{}"u8.ToArray());
        Assert.Equal(InvokeResultKind.InitError, result.Kind);
        Assert.Equal("Init timed out after 10.00 seconds: the runtime never asked for an invocation.", result.ErrorMessage);
        Assert.True(result.NotRun);
    }
}
