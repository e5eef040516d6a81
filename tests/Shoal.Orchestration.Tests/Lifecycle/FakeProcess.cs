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
