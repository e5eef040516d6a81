using System.Collections.Concurrent;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Processes;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>A process runtime that starts nothing: tests end processes by hand.</summary>
internal sealed class FakeProcessRuntime : IProcessRuntime
{
    private int _nextPid = 1000;

    public ConcurrentQueue<FakeProcess> Started { get; } = new();

    public string Name => "fake";

    public Func<ProcessSpec, Exception?> FailStart { get; set; } = _ => null;

    public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        if (FailStart(spec) is { } error)
        {
            throw error;
        }

        var process = new FakeProcess(spec, Interlocked.Increment(ref _nextPid));
        Started.Enqueue(process);
        return ValueTask.FromResult<IProcessHandle>(process);
    }

    public FakeProcess[] Of(string name) => Started.Where(p => p.Spec.Name == name).ToArray();
}

internal sealed class FakeProcess(ProcessSpec spec, int pid) : IProcessHandle
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProcessSpec Spec { get; } = spec;

    public int Pid { get; } = pid;

    public long StartTime => Pid;

    public Task<int> Exited => _exit.Task;

    public bool StopRequested { get; private set; }

    public void Exit(int code) => _exit.TrySetResult(code);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        StopRequested = true;
        _exit.TrySetResult(143);
        return Task.CompletedTask;
    }

    public void Signal(int signal)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A probe whose answer the test sets per port.</summary>
internal sealed class FakeHealthProbe : IHealthProbe
{
    private readonly ConcurrentDictionary<int, bool> _healthy = new();

    public bool DefaultHealthy { get; set; } = true;

    public void Set(int port, bool healthy) => _healthy[port] = healthy;

    /// <summary>When true, probes get no answer at all (a frozen replica): they end only when cancelled.</summary>
    public bool Hang { get; set; }

    public async ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken)
    {
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return _healthy.GetValueOrDefault(port, DefaultHealthy) ? new HealthProbeResult(true, "HTTP 200") : new HealthProbeResult(false, "HTTP 503");
    }
}
