using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Shoal.Functions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Delivery;
using Shoal.Gateway.Admin;
using Shoal.Hosting;
using Shoal.Orchestration.Admin;
using Shoal.Orchestration.Lifecycle;
using Shoal.Registry;
using Shoal.Registry.Api;
using Microsoft.AspNetCore.Http;

namespace Shoal.Cli.Hosting;

/// <summary>The admin listener: the registry API, stack control, gateway settings; problem+json on bad input, a bearer token on changes when set.</summary>
internal static class AdminServer
{
    /// <summary>Admin request bodies are small JSON documents.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static WebApplication Build(Uri listen, string? token, RegistryCatalog catalog, StackSupervisor supervisor, WebApplication gateway, DeploymentController deployments, FunctionsHost? functions, Action shutdown)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listen.ToString());
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddSingleton<IServiceCatalog>(catalog);
        // The last resort for what no endpoint caught: a generic 500 problem, never the exception's text or trace (the
        // daemon usually runs as root; a trace tells an attacker its paths and versions).
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.ProblemDetails.Status >= 500)
            {
                c.ProblemDetails.Detail = null;
                c.ProblemDetails.Extensions.Remove("exception");
                c.ProblemDetails.Extensions.Remove("errors");
            }
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Kestrel's own refusals met while an endpoint reads the body (413 too large, 400 cut short) keep their status.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        // The AWS SDKs sign with SigV4 and cannot send the admin token: their Invoke calls from loopback go through.
        app.UseAdminToken(token, context => context.Request.Path.StartsWithSegments(InvokeEndpoints.Prefix.TrimEnd('/'), StringComparison.Ordinal)
            && context.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote)
            && context.Request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal));
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/v1/registry", () => Results.Json(new { store = catalog.Store.Description, index = catalog.StoreIndex }));
        app.MapRegistryEndpoints(catalog, TimeProvider.System);
        app.MapStackEndpoints(supervisor, shutdown);
        app.MapGatewayEndpoints(gateway);
        app.MapDeploymentEndpoints(deployments);
        if (functions is not null)
        {
            app.MapFunctionEndpoints(functions);
        }

        return app;
    }
}
