using System.Collections.Concurrent;
using Shoal.Processes;

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

    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
    }

    public FakeProcess[] Of(string name) => Started.Where(p => p.Spec.Name == name).ToArray();
}
