using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Catalog;

namespace Shoal.Gateway.Admin;

/// <summary>The admin API's read side of the catalog: <c>GET /healthz</c> and <c>GET /v1/services</c>.</summary>
public static class CatalogEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        endpoints.MapGet("/v1/services", (IServiceCatalog catalog, HttpResponse response) =>
        {
            var snapshot = catalog.Current;
            response.Headers["X-Shoal-Index"] = snapshot.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new
            {
                index = snapshot.Index,
                services = snapshot.Instances
                    .GroupBy(i => i.Service, StringComparer.Ordinal)
                    .Select(g => new { name = g.Key, instances = g.Select(Describe).ToList() })
                    .ToList(),
            });
        });
        return endpoints;
    }

    private static object Describe(ServiceInstance i) => new
    {
        id = i.Id,
        address = i.Address,
        port = i.Port,
        pid = i.Pid,
        health = i.Health.ToString().ToLowerInvariant(),
        version = i.Version,
        weight = i.Weight,
        draining = i.Draining,
        metadata = i.Metadata,
        registeredAt = i.RegisteredAt,
    };
}
