using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class RegistrySectionTests
{
    private static StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Registry_Defaults_ToASqliteFileInTheStateDirectory()
    {
        var stack = Parse("services:\n  app:\n    command: [x]\n");

        Assert.Equal("sqlite:/stacks/demo/.shoal/registry.db", stack.RegistryStore);
    }

    [Theory]
    [InlineData("sqlite:data/reg.db", "sqlite:/stacks/demo/data/reg.db")]
    [InlineData("etcd://127.0.0.1:2379", "etcd://127.0.0.1:2379")]
    [InlineData("etcd://10.0.0.1:2379,10.0.0.2:2379/team-a", "etcd://10.0.0.1:2379,10.0.0.2:2379/team-a")]
    public void Registry_Store_IsResolved(string store, string expected)
    {
        var stack = Parse($"registry:\n  store: \"{store}\"\nservices:\n  app:\n    command: [x]\n");

        Assert.Equal(expected, stack.RegistryStore);
    }

    [Theory]
    [InlineData("consul://x:8500")]
    [InlineData("etcd://nohost")]
    [InlineData("sqlite:")]
    public void Registry_UnknownStore_IsAnErrorAtItsLine(string store)
    {
        var message = ErrorOf($"registry:\n  store: \"{store}\"\nservices:\n  app:\n    command: [x]\n");

        Assert.Contains("shoal.yml:2:10: registry.store:", message, StringComparison.Ordinal);
        Assert.Contains("sqlite:PATH or etcd://", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalService_NeedsNoCommandOrPort_AndStartsNoReplicas()
    {
        var stack = Parse("services:\n  api:\n    external: true\n    routes: [\"/api/**\"]\n");

        var api = Assert.Single(stack.Services);
        Assert.True(api.External);
        Assert.Equal(0, api.Replicas);
        Assert.Equal(["/api/**"], api.Routes);
    }

    [Fact]
    public void ExternalService_WithACommand_OrAsADependency_IsAnError()
    {
        var message = ErrorOf("services:\n  api:\n    external: true\n    command: [x]\n  web:\n    command: [y]\n    depends_on: [api]\n");

        Assert.Contains("services.api.external: an external service runs elsewhere", message, StringComparison.Ordinal);
        Assert.Contains("services.web.depends_on: 'api' is external", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdminOffLoopback_WithoutAToken_IsAnError_AndAShortTokenToo()
    {
        var open = ErrorOf("gateway:\n  admin: http://0.0.0.0:9901\nservices:\n  app:\n    command: [x]\n");
        var weak = ErrorOf("gateway:\n  admin: http://0.0.0.0:9901\n  admin_token: short\nservices:\n  app:\n    command: [x]\n");
        var guarded = Parse("gateway:\n  admin: http://0.0.0.0:9901\n  admin_token: a-long-enough-token\nservices:\n  app:\n    command: [x]\n");

        Assert.Contains("shoal.yml:2:10: gateway.admin: the admin listener http://0.0.0.0:9901/ is reachable from other machines", open, StringComparison.Ordinal);
        Assert.Contains("gateway.admin_token: an admin token needs at least 16 characters", weak, StringComparison.Ordinal);
        Assert.Equal("a-long-enough-token", guarded.Gateway.AdminToken);
    }
}
