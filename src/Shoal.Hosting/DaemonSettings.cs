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
        var options = new GatewayOptions { Listen = stack.Gateway.Listen, Metrics = stack.Gateway.Metrics, AccessLog = stack.Gateway.AccessLog };
        foreach (var proxy in stack.Gateway.TrustedProxies)
        {
            options.TrustedProxies.Add(proxy);
        }

        foreach (var service in stack.Services)
        {
            options.Services[service.Name] = new ServiceRoutingOptions { LoadBalancing = service.LoadBalancing, Resilience = service.Resilience };
            foreach (var route in service.Routes)
            {
                options.Routes.Add(new RouteDefinition(route, service.Name));
            }
        }

        return options;
    }
}
