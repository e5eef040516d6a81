using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;
using Shoal.Hosting;
using Microsoft.Extensions.Hosting;

namespace Shoal.Gateway;

/// <summary>Builds the gateway: a slim Kestrel host whose only middleware is the forwarding handler.</summary>
public static class GatewayServer
{
    /// <summary>Creates the gateway application following <paramref name="catalog"/>.</summary>
    public static WebApplication Build(GatewayOptions options, IServiceCatalog catalog, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.WebHost.UseUrls(options.Listen.ToString());
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddHttpForwarder();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(catalog);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, RoundRobinPolicy>());
        builder.Services.AddSingleton<GatewayState>();
        builder.Services.AddSingleton<PassiveHealthMonitor>();
        builder.Services.AddSingleton<ForwarderClient>();
        builder.Services.AddSingleton<GatewayRequestHandler>();
        builder.Services.AddSingleton<IInstanceDrainer, GatewayDrainer>();
        builder.Services.AddHostedService<CatalogFollower>();

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<GatewayRequestHandler>();
        app.Run(handler.InvokeAsync);
        return app;
    }

    /// <summary>The drainer of a built gateway, for the stack to wait on before stopping an instance.</summary>
    public static IInstanceDrainer Drainer(WebApplication gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return gateway.Services.GetRequiredService<IInstanceDrainer>();
    }
}
