using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Health;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Limits;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Shoal.Gateway.Model;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Redis;
using Shoal.Gateway.Routing;
using Shoal.Gateway.Telemetry;
using Shoal.Http;
using Shoal.Utilities;
using Microsoft.Extensions.Hosting;

namespace Shoal.Gateway;

/// <summary>Builds the gateway: a slim Kestrel host whose only middleware is the forwarding handler.</summary>
public static class GatewayServer
{
    /// <summary>Creates the gateway application following <paramref name="catalog"/>.</summary>
    /// <param name="options">Listener, routes, per-service settings.</param>
    /// <param name="catalog">The instances to route to.</param>
    /// <param name="plugins">Custom strategies, in addition to the built-in ones.</param>
    /// <param name="logging">Logging setup.</param>
    /// <param name="front">Middleware that sees each request before the services' routes (the functions' routes).</param>
    public static WebApplication Build(GatewayOptions options, IServiceCatalog catalog, IEnumerable<ILoadBalancingPolicy>? plugins = null, Action<ILoggingBuilder>? logging = null, Func<HttpContext, RequestDelegate, Task>? front = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // No reload on change: its watcher on the content root (the stack's directory) would wake on every log line written under it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);

        // Kestrel logs every connection its cap turns away: a flood would write thousands of lines a second.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.Error);
        builder.WebHost.ConfigureKestrel(kestrel => ApplyLimits(kestrel, options));
        builder.WebHost.UseUrls(options.Listen.ToString());

        // Run the request pipeline on the thread that completed the socket read instead of queueing it to the thread
        // pool: one hop fewer per request. Nothing on the request path blocks, which this requires. (Kestrel's zero-byte
        // read before each request stays: without it the socket engine's first read finds EAGAIN instead, the same
        // system calls, and each idle connection would hold a 4 KB buffer; bench/results/proxy.md.)
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddHttpForwarder();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(catalog);
        builder.Services.TryAddSingleton<IRandomFactory, RandomFactory>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, RoundRobinPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, RandomPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, LeastRequestsPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, PowerOfTwoChoicesPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRoundRobinPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, IpHashPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, SessionAffinityPolicy>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, ConsistentHashPolicy>());
        foreach (var plugin in plugins ?? [])
        {
            builder.Services.AddSingleton<ILoadBalancingPolicy>(plugin);
        }
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<RedisLinks>();
        builder.Services.AddSingleton<RateLimiters>();
        AccessLogMiddleware.AddTo(builder.Services, options);
        builder.Services.AddSingleton<GatewayState>();
        builder.Services.AddSingleton<InstanceProber>();
        builder.Services.AddSingleton<PassiveHealthMonitor>();
        builder.Services.AddSingleton<IDestinationHealthUpdater, DestinationHealthUpdater>();
        builder.Services.AddSingleton<StallDetector>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StallDetector>());
        builder.Services.AddSingleton<ForwarderClient>();
        builder.Services.AddSingleton<GatewayRequestHandler>();
        builder.Services.AddSingleton<RequestGuard>();
        builder.Services.AddSingleton<HostRouting>();
        builder.Services.AddSingleton<RequestEntry>();
        builder.Services.AddSingleton<IInstanceDrainer, GatewayDrainer>();
        builder.Services.AddHostedService<CatalogFollower>();

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<GatewayRequestHandler>();
        AccessLogMiddleware.Use(app);

        // Before the guard appends this gateway's Via: host routing reads whether the request was forwarded to it.
        app.Use(app.Services.GetRequiredService<HostRouting>().InvokeAsync);
        app.Use(app.Services.GetRequiredService<RequestGuard>().InvokeAsync);
        app.Use(app.Services.GetRequiredService<RequestEntry>().InvokeAsync);
        if (front is not null)
        {
            // A request whose Host names a service is that service's, even on a function's path.
            app.Use((context, next) => HostRoute.Of(context) is null ? front(context, next) : next(context));
        }

        app.Run(handler.InvokeAsync);
        return app;
    }

    private static void ApplyLimits(KestrelServerOptions kestrel, GatewayOptions options)
    {
        var limits = options.Limits;
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBody;
        kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxUpgradedConnections;
        if (limits.MaxConnectionsPerClient is { } perClient)
        {
            kestrel.ConfigureEndpointDefaults(listen => ClientConnectionLimit.Use(
                listen,
                perClient,
                [.. options.TrustedProxies],
                kestrel.ApplicationServices.GetRequiredService<TimeProvider>(),
                kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Shoal.Gateway.Limits")));
        }
    }

    /// <summary>The live state of one service in a built gateway (its split and per-version counts), or null when it routes no such service.</summary>
    public static ClusterState? Cluster(WebApplication gateway, string service)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return gateway.Services.GetRequiredService<GatewayState>().FindCluster(service);
    }

    /// <summary>The drainer of a built gateway, for the stack to wait on before stopping an instance.</summary>
    public static IInstanceDrainer Drainer(WebApplication gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        return gateway.Services.GetRequiredService<IInstanceDrainer>();
    }
}
