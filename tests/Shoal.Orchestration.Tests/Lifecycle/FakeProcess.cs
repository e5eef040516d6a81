using Shoal.Processes;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>A process the test ends by hand.</summary>
internal sealed class FakeProcess(ProcessSpec spec, int pid) : IProcessHandle
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProcessSpec Spec { get; } = spec;

    public int Pid { get; } = pid;

    public long StartTime => Pid;

    public Task<int> Exited => _exit.Task;

    public bool StopRequested { get; private set; }

    public bool OomKilled { get; private set; }

    /// <summary>What <see cref="ReadUsage"/> returns.</summary>
    public ResourceUsage? Usage { get; set; }

    public ResourceUsage? ReadUsage() => Usage;

    public void Exit(int code) => _exit.TrySetResult(code);

    /// <summary>Ends the process as the kernel does at its memory limit: SIGKILL, OOM flagged.</summary>
    public void KillAtMemoryLimit()
    {
        OomKilled = true;
        _exit.TrySetResult(128 + PosixSignals.Kill);
    }

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
