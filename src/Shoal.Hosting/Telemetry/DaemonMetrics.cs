using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Shoal.Hosting.Telemetry;

/// <summary>
/// The daemon's <c>GET /metrics</c> on the admin listener: the OpenTelemetry SDK collects the features' <c>Shoal</c>
/// meter (and the runtime's and process's instruments) and its Prometheus exporter answers in the Prometheus text format,
/// or OpenMetrics when the scraper asks for it in <c>Accept</c>. Like every admin path but <c>/healthz</c>, it needs the
/// admin or operator token (Prometheus: <c>authorization: { credentials_file: .shoal/admin.token }</c>).
/// </summary>
internal static class DaemonMetrics
{
    /// <summary>The meter name every feature records on.</summary>
    public const string MeterName = "Shoal";

    /// <summary>Registers the meter provider and exporter on the admin listener's services; nothing when metrics are off.</summary>
    public static void AddTo(IServiceCollection services, bool enabled)
    {
        if (!enabled)
        {
            return;
        }

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterName)
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddPrometheusExporter(o =>
            {
                // Every scrape reads the counters now: a cached answer would show a test (or a human with curl) stale numbers.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
    }

    /// <summary>Maps <c>GET /metrics</c> when metrics are on.</summary>
    public static void Map(WebApplication app, bool enabled)
    {
        if (enabled)
        {
            app.MapPrometheusScrapingEndpoint();
        }
    }
}
