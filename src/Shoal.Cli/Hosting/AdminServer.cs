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

/// <summary>
/// The admin listener: the registry API, stack control, gateway settings; problem+json on bad input. It listens on TCP
/// (every request but <c>/healthz</c> needs a credential) and on the owner-only Unix socket <c>.shoal/admin.sock</c>.
/// </summary>
internal static class AdminServer
{
    /// <summary>Admin request bodies are small JSON documents.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static WebApplication Build(Uri listen, string? socket, AdminAccessOptions access, RegistryCatalog catalog, StackSupervisor supervisor, WebApplication gateway, DeploymentController deployments, FunctionsHost? functions, Action shutdown)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(socket is null ? [listen.ToString()] : [listen.ToString(), AdminSocket.Url(socket)]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ConfigureEndpointDefaults(AdminSocket.Guard);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddSingleton<IServiceCatalog>(catalog);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAdminAuthentication(access);
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
