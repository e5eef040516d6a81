using Shoal.Configuration;

namespace Shoal.Core.Tests.Configuration;

public sealed class StackKeyTests
{
    [Fact]
    public void Merge_KeysWithAnAnchor_FollowIt_InTheReadersOrder()
    {
        var keys = StackKey.Merge(["a", "b", "c"], [new("x", After: "a"), new("y", After: "x"), new("z", After: "c")]);

        Assert.Equal(["a", "x", "y", "b", "c", "z"], keys);
    }

    [Fact]
    public void Merge_KeysWithoutAnAnchor_OrWithAMissingOne_GoLast()
    {
        var keys = StackKey.Merge(["a"], [new("x"), new("y", After: "nowhere")]);

        Assert.Equal(["a", "x", "y"], keys);
    }

    [Fact]
    public void Merge_TheStandardStackKeys_KeepTheirDocumentedOrder()
    {
        // The gateway, registry, functions and deploy readers in the CLI's order: the messages list keys as before the split.
        var top = StackKey.Merge(["name", "services"], [new("gateway", After: "name"), new("registry"), new("functions")]);
        var service = StackKey.Merge(
            ["command", "per_replica", "external"],
            [new("load_balancing", After: "per_replica"), new("resilience", After: "load_balancing"), new("deploy")]);

        Assert.Equal(["name", "gateway", "services", "registry", "functions"], top);
        Assert.Equal(["command", "per_replica", "load_balancing", "resilience", "external", "deploy"], service);
    }
}
