using Shoal.Processes;

namespace Shoal.Functions.Tests.Agent;

/// <summary>Starts no process: it records where the instance's Runtime API is, for the test to play the runtime.</summary>
internal sealed class FakeProcessRuntime : IProcessRuntime, IProcessRuntimeProvider
{
    public Dictionary<string, FakeProcess> Processes { get; } = [];

    public List<ProcessSpec> Specs { get; } = [];

    public string Name => "fake";

    /// <summary>The kinds asked for, in order.</summary>
    public List<RuntimeKind> Kinds { get; } = [];

    public IProcessRuntime Get(RuntimeKind kind)
    {
        Kinds.Add(kind);
        return this;
    }

    public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var process = new FakeProcess(spec.Environment["AWS_LAMBDA_RUNTIME_API"]);
        Specs.Add(spec);
        Processes[spec.InstanceId!] = process;
        return ValueTask.FromResult<IProcessHandle>(process);
    }

    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
    }
}
