using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class ExternalServiceTests
{
    private static StackDefinition Parse(string yaml) => StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

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
}
