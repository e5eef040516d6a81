using Shoal.Functions.Agent.Runtime;

namespace Shoal.Functions.Tests.Agent;

/// <summary>A process that is not there: it exits when told to or when stopped.</summary>
internal sealed class FakeInstanceProcess(string runtimeApi) : IInstanceProcess
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RuntimeApi { get; } = runtimeApi;

    public int Pid => int.MaxValue;

    public long StartTime => 1;

    public IReadOnlyList<string> Cgroups => [];

    public Task<int> Exited => _exited.Task;

    public void Exit(int code) => _exited.TrySetResult(code);

    public void Pause()
    {
    }

    public void Resume()
    {
    }

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        Exit(137);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
