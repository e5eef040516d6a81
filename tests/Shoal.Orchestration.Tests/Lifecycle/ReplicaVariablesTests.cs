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
        // FileVariables.PerReplica would read as empty text in a command (SHOAL_ADDRESS once did). The app depends on a
        // routed service, so its discovery variables are among them.
        const string Yaml = "services:\n  api:\n    command: [api]\n    port: auto\n    routes: [\"/api/**\"]\n  app:\n    command: [app]\n    port: auto\n    depends_on: [api]\n";
        var stack = StackFileLoader.Parse(Yaml, Path.Combine(_directory, "shoal.yml"), "shoal.yml") with { GatewayListen = new Uri("http://127.0.0.1:8080") };
        var service = stack.FindService("app")!;
        var template = new ReplicaTemplate(service, "demo", ["app"], passUrls: false, _directory) { Addresses = ServiceAddresses.For(service, stack) };

        var spec = template.Create("app-1", 1, 5000);

        Assert.Contains("API_URL", spec.Environment.Keys);
        Assert.All(spec.Environment.Keys, name => Assert.Contains(name, FileVariables.PerReplicaIn(stack.Services.Select(s => s.Name))));
    }

    [Fact]
    public void DiscoveryVariables_AreSubstitutedInTheCommand_AndTheServicesOwnValueWins()
    {
        const string Yaml = "services:\n  api:\n    command: [api]\n    port: auto\n    routes: [\"/api/**\"]\n  app:\n    command: [curl, \"${API_URL}/api/x\"]\n    depends_on: [api]\n    env: { API_URL: \"http://elsewhere\" }\n";
        var stack = StackFileLoader.Parse(Yaml, Path.Combine(_directory, "shoal.yml"), "shoal.yml") with { GatewayListen = new Uri("http://0.0.0.0:9000") };
        var service = stack.FindService("app")!;
        var template = new ReplicaTemplate(service, "demo", ["curl", "${API_URL}/api/x"], passUrls: false, _directory) { Addresses = ServiceAddresses.For(service, stack) };

        var spec = template.Create("app-1", 1, 0);

        Assert.Equal(["http://elsewhere/api/x"], spec.Arguments);
        Assert.Equal("http://elsewhere", spec.Environment["API_URL"]);
        Assert.Equal("http://127.0.0.1:9000", spec.Environment["services__api__http__0"]);
    }
}
