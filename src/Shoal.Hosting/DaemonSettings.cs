using System.Globalization;
using Shoal.Functions.Hosting;
using Shoal.Gateway.Configuration;
using Shoal.Http;
using Shoal.Orchestration.Stack;

namespace Shoal.Hosting;

/// <summary>The features' settings, as the stack file gives them.</summary>
internal static class DaemonSettings
{
    /// <summary>Who may use the admin API: the configured token or a new one in <c>.shoal/admin.token</c>, the operator token, SigV4 on the Invoke API.</summary>
    public static AdminAccessOptions AdminAccess(StackDefinition stack)
    {
        var credentials = stack.Functions.InvokeCredentials;
        return new AdminAccessOptions
        {
            Token = AdminTokenFile.Establish(stack.StateDirectory, stack.Gateway.AdminToken),
            OperatorToken = stack.Gateway.OperatorToken,
            OpenPaths = stack.Gateway.MetricsPublic ? ["/healthz", "/metrics"] : ["/healthz"],
            Authenticators = [InvokeAuthentication.Create(credentials?.AccessKeyId, credentials?.SecretAccessKey, TimeProvider.System)],
        };
    }

    /// <summary>The gateway's routes and per-service settings, from the stack file.</summary>
    public static GatewayOptions GatewayOptionsFor(StackDefinition stack)
    {
        var options = new GatewayOptions { Listen = stack.Gateway.Listen, Metrics = stack.Gateway.Metrics, AccessLog = stack.Gateway.AccessLog, ForwardedHeaders = stack.Gateway.ForwardedHeaders };
        foreach (var proxy in stack.Gateway.TrustedProxies)
        {
            options.TrustedProxies.Add(proxy);
        }

        foreach (var service in stack.Services)
        {
            options.Services[service.Name] = new ServiceRoutingOptions { LoadBalancing = service.LoadBalancing, Resilience = service.Resilience, RateLimit = service.Routing.RateLimit ?? stack.Gateway.RateLimit };
            foreach (var route in service.Routes)
            {
                options.Routes.Add(new RouteDefinition(route, service.Name));
            }
        }

        foreach (var (name, endpoint) in RedisServices(stack))
        {
            options.RedisServices[name] = endpoint;
        }

        return options;
    }

    /// <summary>
    /// Where a <c>redis: NAME</c> of a rate limit or session table connects: the stack service NAME on the loopback at
    /// its fixed port, with the password of a redis template (a StackExchange.Redis configuration string). The one
    /// place that turns a service name into a Redis address.
    /// </summary>
    private static IEnumerable<(string Name, string Endpoint)> RedisServices(StackDefinition stack) =>
        stack.Services
            .Where(s => s.Port.Kind == PortKind.Fixed)
            .Select(s => (s.Name, string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{s.Port.Fixed}{(s.Backing is { Kind: BackingKind.Redis, Password: { } p } ? ",password=" + p : "")}")));
}
