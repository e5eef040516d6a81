using Microsoft.AspNetCore.Builder;
using Shoal.Functions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Delivery;
using Shoal.Gateway.Admin;
using Shoal.Gateway.Limits;
using Shoal.Hosting.Dashboard;
using Shoal.Hosting.Events;
using Shoal.Http;
using Shoal.Json;
using Shoal.Orchestration.Admin;
using Shoal.Registry.Api;
using Microsoft.AspNetCore.Http;

namespace Shoal.Hosting;

/// <summary>
/// The admin listener: the registry API, stack control, gateway settings; problem+json on bad input. It listens on TCP
/// (every request but <c>/healthz</c> needs a credential) and on the owner-only Unix socket <c>.shoal/admin.sock</c>.
/// </summary>
internal static class AdminServer
{
    /// <summary>Admin request bodies are small JSON documents.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static WebApplication Build(Uri listen, string? socket, AdminAccessOptions access, AdminLimits limits, AdminFeatures features, Action shutdown)
    {
        var catalog = features.Catalog;
        // No reload on change: its watcher on the content root (the stack's directory) would wake on every log line written under it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        // The admin host logs as the gateway does (into shoal.log): its listener's refusals and an unexpected error's exception.
        builder.Logging.ClearProviders();
        DaemonLogging.Configure(builder.Logging);
        builder.WebHost.UseUrls(socket is null ? [listen.ToString()] : [listen.ToString(), AdminSocket.Url(socket)]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Kestrel keeps one set of endpoint defaults: the owner check on the socket and the per-client cap on TCP go in one.
            k.ConfigureEndpointDefaults(l =>
            {
                AdminSocket.Guard(l);
                if (l.SocketPath is null && limits.MaxConnectionsPerClient is { } perClient)
                {
                    ClientConnectionLimit.Use(l, perClient, [], TimeProvider.System, k.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Shoal.Admin"));
                }
            });
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Limits.MaxConcurrentConnections = limits.MaxConnections;
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddSingleton<IServiceCatalog>(catalog);
        // Every problem in the one Shoal shape; an unexpected 500 without the exception's text (see ShoalProblemDetails).
        builder.Services.AddShoalProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => ShoalJson.Apply(o.SerializerOptions));
        Telemetry.DaemonMetrics.AddTo(builder.Services, features.Metrics);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel's own refusals met while an endpoint reads the body (413 too large, 400 cut short) keep their status.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseAdminAuthentication(access);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        Telemetry.DaemonMetrics.Map(app, features.Metrics);
        app.MapGet("/v1/registry", () => Results.Json(new { store = catalog.Store.Description, index = catalog.StoreIndex }));
        app.MapRegistryEndpoints(catalog, TimeProvider.System, limits.Registration);
        app.MapStackEndpoints(features.Supervisor, shutdown);
        app.MapGatewayEndpoints(features.Gateway);
        app.MapDeploymentEndpoints(features.Deployments);
        if (features.Functions is not null)
        {
            app.MapFunctionEndpoints(features.Functions);
        }

        app.MapPlatformEndpoints(features.Streams);

        return app;
    }
}
