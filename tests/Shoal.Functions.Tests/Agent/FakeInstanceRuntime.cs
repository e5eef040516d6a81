using Shoal.Functions.Agent.Runtime;
using Shoal.Orchestration.Processes;

namespace Shoal.Functions.Tests.Agent;

/// <summary>Starts no process: it records where the instance's Runtime API is, for the test to play the runtime.</summary>
internal sealed class FakeInstanceRuntime : IInstanceRuntime
{
    public Dictionary<string, FakeInstanceProcess> Processes { get; } = [];

    public string Name => "fake";

    public ValueTask<IInstanceProcess> StartAsync(InstanceLaunch launch, CancellationToken cancellationToken)
    {
        var process = new FakeInstanceProcess(launch.Process.Environment["AWS_LAMBDA_RUNTIME_API"]);
        Processes[launch.Id] = process;
        return ValueTask.FromResult<IInstanceProcess>(process);
    }

    public void KillLeftover(InstanceRecord record)
    {
    }
}
