using System.Net;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class ServiceAddressesTests
{
    private const string Yaml = """
        services:
          api:
            command: [api]
            port: auto
            routes: ["/api/**"]
          order-api:
            command: [orders]
            port: auto
            routes: ["/orders/**"]
          worker:
            command: [worker]
          web:
            command: [web]
            depends_on: [api, order-api, worker]
        """;

    private static StackDefinition Stack(string? listen = "http://127.0.0.1:8080") =>
        StackFileLoader.Parse(Yaml, "/stacks/demo/shoal.yml", "shoal.yml") with { GatewayListen = listen is null ? null : new Uri(listen) };

    [Fact]
    public void For_ADependantOfRoutedServices_GetsTheGatewayUnderEachName_NotForAServiceWithoutRoutes()
    {
        var stack = Stack();
        var variables = new Dictionary<string, string>();

        ServiceAddresses.For(stack.FindService("web")!, stack)!.AddTo(variables, hostAddress: null);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["services__api__http__0"] = "http://127.0.0.1:8080",
                ["API_HTTP"] = "http://127.0.0.1:8080",
                ["API_URL"] = "http://127.0.0.1:8080",
                ["services__order-api__http__0"] = "http://127.0.0.1:8080",
                ["ORDER_API_HTTP"] = "http://127.0.0.1:8080",
                ["ORDER_API_URL"] = "http://127.0.0.1:8080",
            },
            variables);
    }

    [Fact]
    public void For_NoRoutedDependency_OrNoGateway_IsNull()
    {
        Assert.Null(ServiceAddresses.For(Stack().FindService("api")!, Stack()));
        Assert.Null(ServiceAddresses.For(Stack(listen: null).FindService("web")!, Stack(listen: null)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", null, "http://127.0.0.1:8080")]
    [InlineData("http://0.0.0.0:8080", null, "http://127.0.0.1:8080")]
    [InlineData("http://[::]:9000", null, "http://127.0.0.1:9000")]
    [InlineData("http://0.0.0.0:8080", "10.213.4.1", "http://10.213.4.1:8080")]
    [InlineData("http://192.168.1.5:8080", "10.213.4.1", "http://192.168.1.5:8080")]
    [InlineData("http://localhost:8080", null, "http://localhost:8080")]
    [InlineData("http://127.0.0.1:8080", "10.213.4.1", "http://10.213.4.1:8080")]
    [InlineData("http://localhost:8080", "10.213.4.1", "http://10.213.4.1:8080")]
    [InlineData("http://[::1]:8080", "10.213.4.1", "http://10.213.4.1:8080")]
    public void GatewayUrl_IsWhereTheReplicaReachesTheListener(string listen, string? hostAddress, string expected)
    {
        Assert.Equal(expected, ServiceAddresses.GatewayUrl(new Uri(listen), hostAddress is null ? null : IPAddress.Parse(hostAddress)));
    }
}
