using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class PerReplicaTests
{
    private static StackDefinition Parse(string yaml) => StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_WeightMetadataAndPerReplica_AreRead()
    {
        var app = Parse("""
            services:
              app:
                command: [x]
                replicas: 3
                port: auto
                weight: 2
                metadata: { zone: a }
                per_replica:
                  - { weight: 5, metadata: { region: eu }, env: { WORK_MS: "100" } }
                  - { weight: 3 }
            """).Services.Single();

        Assert.Equal(2, app.Weight);
        Assert.Equal("a", app.Metadata["zone"]);
        Assert.Equal(5, app.OverrideFor(1)!.Weight);
        Assert.Equal("eu", app.OverrideFor(1)!.Metadata["region"]);
        Assert.Equal("100", app.OverrideFor(1)!.Environment["WORK_MS"]);
        Assert.Equal(3, app.OverrideFor(2)!.Weight);
        Assert.Null(app.OverrideFor(3));
    }

    [Theory]
    [InlineData("weight: -1", "shoal.yml:4:13: services.app.weight: -1 is out of range; allowed 0 to 10000")]
    [InlineData("per_replica: [{ weight: -2 }]", "shoal.yml:4:29: services.app.per_replica[0].weight: -2 is out of range; allowed 0 to 10000")]
    public void Parse_BadWeight_NamesLineAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n"));
    }
}
