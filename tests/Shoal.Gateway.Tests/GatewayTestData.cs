using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Tests;

internal static class GatewayTestData
{
    public static ServiceInstance Instance(string id, int port, InstanceHealth health = InstanceHealth.Passing, string service = "app") =>
        new() { Service = service, Id = id, Port = port, Health = health, RegisteredAt = DateTimeOffset.UnixEpoch };

    public static GatewayState State(params RouteDefinition[] routes)
    {
        var options = new GatewayOptions();
        foreach (var route in routes)
        {
            options.Routes.Add(route);
        }

        return new GatewayState(options, [new RoundRobinPolicy()]);
    }

    public static CatalogSnapshot Snapshot(long index, params ServiceInstance[] instances) => new(index, [.. instances]);
}
