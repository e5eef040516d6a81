using Shoal.Configuration;
using Xunit;

namespace Shoal.Core.Tests.Configuration;

public sealed class DiscoveryVariablesTests
{
    [Theory]
    [InlineData("api", "services__api__http__0", "API_HTTP", "API_URL")]
    [InlineData("order-api", "services__order-api__http__0", "ORDER_API_HTTP", "ORDER_API_URL")]
    [InlineData("db2", "services__db2__http__0", "DB2_HTTP", "DB2_URL")]
    public void For_NamesAspiresTwoFormsAndTheUrl(string service, string aspire, string http, string url)
    {
        Assert.Equal([aspire, http, url], DiscoveryVariables.For(service));
    }

    [Fact]
    public void PerReplicaIn_AddsEachServicesNames_ToShoalsOwn()
    {
        var names = FileVariables.PerReplicaIn(["api", "order-api"]);

        Assert.Superset(new HashSet<string>(FileVariables.PerReplica), new HashSet<string>(names));
        Assert.Contains("ORDER_API_URL", names);
        Assert.Contains("services__api__http__0", names);
        Assert.DoesNotContain("WEB_URL", names);
    }

    [Fact]
    public void LoadMapping_LeavesTheDiscoveryVariablesOfTheFilesServices_ForTheReplica()
    {
        var errors = new YamlErrors("shoal.yml");
        var variables = new FileVariables(name => name == "API_URL" || name == "OTHER_URL" ? "from-the-shell" : null, new Dictionary<string, string>());

        var root = YamlDocuments.LoadMapping("services:\n  api:\n    command: [curl, \"${API_URL}/x\", \"$services__api__http__0\", \"${OTHER_URL}\"]\n", errors, "a mapping", variables);

        Assert.Empty(errors.All);
        Assert.Empty(errors.Warnings);
        var command = (YamlDotNet.RepresentationModel.YamlSequenceNode)root!["services"]["api"]["command"];
        Assert.Equal(["curl", "${API_URL}/x", "$services__api__http__0", "from-the-shell"], command.Children.Select(c => c.ToString()));
    }
}
