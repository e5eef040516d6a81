using Shoal.Configuration;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class ReplicaVariablesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-replica-vars-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void EveryVariableShoalSetsPerReplica_IsLeftAloneByTheFilesInterpolation()
    {
        // The file's ${…} are replaced when it is read; the replica's own are replaced at each start. A name missing from
        // FileVariables.PerReplica would read as empty text in a command (SHOAL_ADDRESS once did).
        var service = StackFileLoader.Parse("services:\n  app:\n    command: [app]\n    port: auto\n", Path.Combine(_directory, "shoal.yml"), "shoal.yml").Services.Single();
        var spec = new ReplicaTemplate(service, "demo", ["app"], passUrls: false, _directory).Create("app-1", 1, 5000);

        Assert.All(spec.Environment.Keys, name => Assert.Contains(name, FileVariables.PerReplica));
    }
}
