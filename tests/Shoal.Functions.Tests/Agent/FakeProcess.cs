using Shoal.Processes;

namespace Shoal.Functions.Tests.Agent;

/// <summary>A process that is not there: it exits when told to or when stopped.</summary>
internal sealed class FakeProcess(string runtimeApi) : IProcessHandle
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RuntimeApi { get; } = runtimeApi;

    public int Pid => int.MaxValue;

    public long StartTime => 1;

    public Task<int> Exited => _exited.Task;

    public int Pauses { get; private set; }

    /// <summary>As the runtime reports a process killed at its memory limit.</summary>
    public bool OomKilled { get; set; }

    /// <summary>What <see cref="ReadUsage"/> reports.</summary>
    public ResourceUsage? Usage { get; set; }

    public ResourceUsage? ReadUsage() => Usage;

    public int Resumes { get; private set; }

    public void Exit(int code) => _exited.TrySetResult(code);

    public void Signal(int signal)
    {
    }

    public void Pause() => Pauses++;

    public void Resume() => Resumes++;

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        Exit(137);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
