using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Http;
using Shoal.Json;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;
using Shoal.Text;

namespace Shoal.Gateway.Admin;

/// <summary>The gateway's admin API: its live view of every service, and changing a service's strategy at run time.</summary>
public static class GatewayEndpoints
{
    /// <summary>Maps <c>GET /v1/gateway</c>, <c>GET</c> and <c>PUT /v1/services/{name}/strategy</c> for the gateway <paramref name="gateway"/> controls.</summary>
    public static IEndpointRouteBuilder MapGatewayEndpoints(this IEndpointRouteBuilder endpoints, GatewayControl gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var state = gateway.State;
        var time = gateway.Time;

        endpoints.MapGet("/v1/gateway", () => Results.Json(new
        {
            services = state.Clusters.OrderBy(c => c.Service, StringComparer.Ordinal).Select(c => new
            {
                name = c.Service,
                strategy = c.LoadBalancing.Strategy,
                panic = c.InPanic,
                timings = Timings(c),
                destinations = c.AllDestinations.Select(d => new
                {
                    id = d.Id,
                    routable = d.Instance.IsRoutable,
                    available = c.Available.Contains(d),
                    in_flight = d.ConcurrentRequestCount,
                    ejected = d.IsEjected,
                    circuit = d.Circuit.ToString().ToLowerInvariant(),
                    weight = d.Instance.Weight,
                    ready_for_s = time.GetElapsedTime(d.ReadySince).TotalSeconds,
                }),
            }),
        }, ShoalJson.Options));

        endpoints.MapGet("/v1/services/{name}/strategy", (string name) =>
            state.FindCluster(name) is { } cluster
                ? Results.Json(Describe(cluster), ShoalJson.Options)
                : Results.Problem(statusCode: 404, title: "Unknown service", detail: $"The gateway routes no service '{name}'."));

        endpoints.MapPut("/v1/services/{name}/strategy", async (string name, HttpRequest request, CancellationToken ct) =>
        {
            if (state.FindCluster(name) is not { } cluster)
            {
                return Results.Problem(statusCode: 404, title: "Unknown service", detail: $"The gateway routes no service '{name}'.");
            }

            var (body, problem) = await JsonBodies.ReadAsync<StrategyRequest>(request, ShoalJson.Options, "{\"strategy\": \"…\"} and the strategy's settings", ct).ConfigureAwait(false);
            if (body is null)
            {
                return problem!;
            }

            var idle = LoadBalancingSettings.Default.SessionIdleTimeout;
            if (body.SessionIdleTimeout is { } idleText && !Durations.TryParse(idleText, MinSessionIdle, MaxSessionIdle, out idle, out var why))
            {
                return Results.Problem(statusCode: 400, title: "Invalid strategy", detail: $"session_idle_timeout: {why}");
            }

            if (body.Settings?.FirstOrDefault(s => s.Value is null) is { Key: { } nullSetting })
            {
                return Results.Problem(statusCode: 400, title: "Invalid strategy", detail: $"settings.{nullSetting}: give a text value, not null");
            }

            var settings = new LoadBalancingSettings
            {
                Strategy = body.Strategy ?? string.Empty,
                SessionHeader = body.SessionHeader ?? LoadBalancingSettings.Default.SessionHeader,
                SessionCookie = body.SessionCookie,
                SessionIdleTimeout = idle,
                HashKey = body.HashKey,
                BoundedLoad = body.BoundedLoad,
                VirtualNodes = body.VirtualNodes ?? LoadBalancingSettings.Default.VirtualNodes,
                Settings = body.Settings ?? new Dictionary<string, string>(),
            };
            var problems = LoadBalancingValidation.Problems(settings, state.Strategies).ToList();
            if (problems.Count > 0)
            {
                return Results.Problem(statusCode: 400, title: "Invalid strategy", detail: string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")));
            }

            var updated = state.Configure(name, cluster.Config.Options with { LoadBalancing = settings });
            return Results.Json(Describe(updated), ShoalJson.Options);
        });
        return endpoints;
    }

    /// <summary>The timings the gateway derived from the service's latency (null where there is no estimate or no hedging).</summary>
    private static object Timings(ClusterState cluster)
    {
        var timings = cluster.TimingsFor(cluster.Config);
        return new
        {
            p99_ms = timings.P99?.TotalMilliseconds,
            hedge_delay_ms = timings.HedgeDelay?.TotalMilliseconds,
            stall_threshold_ms = timings.StallThreshold.TotalMilliseconds,
            attempt_timeout_ms = timings.RequestConfig.ActivityTimeout?.TotalMilliseconds,
        };
    }

    /// <summary>The range of a session's idle timeout, as in <c>shoal.yml</c>.</summary>
    private static readonly TimeSpan MinSessionIdle = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxSessionIdle = TimeSpan.FromDays(7);

    private static object Describe(ClusterState cluster) => new
    {
        service = cluster.Service,
        load_balancing = cluster.LoadBalancing,
    };

    private sealed record StrategyRequest(
        string? Strategy,
        string? SessionHeader,
        string? SessionCookie,
        string? SessionIdleTimeout,
        string? HashKey,
        double? BoundedLoad,
        int? VirtualNodes,
        Dictionary<string, string>? Settings);
}
