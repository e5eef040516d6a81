using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Http;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Orchestration.Admin;

/// <summary>The admin API of a running stack: <c>GET /v1/stack</c>, scaling, and shutdown.</summary>
public static class StackEndpoints
{
    /// <summary>The most replicas a scale request may ask for.</summary>
    public const int MaxReplicas = 64;

    /// <summary>Maps the endpoints; <paramref name="shutdown"/> is called by <c>POST /v1/stack/shutdown</c>.</summary>
    public static IEndpointRouteBuilder MapStackEndpoints(this IEndpointRouteBuilder endpoints, StackSupervisor supervisor, Action shutdown)
    {
        endpoints.MapGet("/v1/stack", () => Results.Json(supervisor.Snapshot(), StackJson.Options));

        endpoints.MapPut("/v1/stack/services/{name}/replicas", async (string name, HttpRequest request, CancellationToken ct) =>
        {
            if (supervisor.Snapshot().Services.All(s => s.Name != name))
            {
                return Results.Problem(statusCode: 404, title: "Unknown service", detail: $"The stack has no service '{name}'.");
            }

            var (body, problem) = await JsonBodies.ReadAsync<ScaleRequest>(request, StackJson.Options, "{\"replicas\": 3}", ct).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            if (body.Replicas is not { } replicas || replicas < 0 || replicas > MaxReplicas)
            {
                return Results.Problem(statusCode: 400, title: "Invalid replica count", detail: $"'replicas' must be a whole number from 0 to {MaxReplicas}.");
            }

            // A postgres or redis template is one server on one data directory: a second one would share the files.
            if (replicas > 1 && supervisor.Definition(name)?.Backing is { } backing)
            {
                return Results.Problem(statusCode: 400, title: "Cannot scale a backing service", detail: $"'{name}' is a {backing.Key} template: one server on one data directory (.shoal/volumes/{backing.Volume}), so it runs 0 or 1 replicas, not {replicas}.");
            }

            // A deployment counts and moves the main replicas itself: a scale in between would be undone or miscounted.
            if (supervisor.HasOtherVersions(name))
            {
                return Results.Problem(statusCode: 409, title: "Deployment in progress", detail: $"Another version of '{name}' runs next to it; promote or roll back the deployment before scaling.");
            }

            await supervisor.ScaleAsync(name, replicas, ct).ConfigureAwait(false);
            return Results.Json(supervisor.ServiceSnapshot(name), StackJson.Options);
        });

        endpoints.MapPost("/v1/stack/shutdown", () =>
        {
            shutdown();
            return Results.Accepted();
        });
        return endpoints;
    }

    private sealed record ScaleRequest(int? Replicas);
}
