using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Gateway.Admin;
using Shoal.Hosting;
using Shoal.Orchestration.Admin;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Cli.Hosting;

/// <summary>The admin listener: catalog reads, stack control; problem+json on bad input.</summary>
internal static class AdminServer
{
    /// <summary>Admin request bodies are small JSON documents.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static WebApplication Build(Uri listen, IServiceCatalog catalog, StackSupervisor supervisor, WebApplication gateway, Action shutdown)
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
        builder.Services.AddSingleton(catalog);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapCatalogEndpoints();
        app.MapStackEndpoints(supervisor, shutdown);
        app.MapGatewayEndpoints(gateway);
        return app;
    }
}
