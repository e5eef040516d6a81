using Microsoft.Extensions.Logging;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Limits;
using Shoal.Orchestration.Stack;
using Shoal.Processes;
using Shoal.Registry.Api;

namespace Shoal.Hosting;

/// <summary>
/// The daemon's limits: the open-file limit raised to its hard value, shared out between the listeners with a reserve
/// (<see cref="ConnectionBudget"/>) unless the stack file sets the caps, and the registration policy.
/// </summary>
internal static partial class DaemonLimits
{
    /// <summary>Raises the open-file limit and works out the caps; logs them, and warns when configured caps exceed the limit.</summary>
    public static (GatewayLimits Gateway, AdminLimits Admin) Apply(StackDefinition stack, ILogger logger)
    {
        var configured = stack.Gateway.Limits;
        var descriptors = FileDescriptorLimit.RaiseToHard();
        var budget = descriptors is { } fds ? ConnectionBudget.For(fds) : null;
        var gateway = new GatewayLimits
        {
            MaxConnections = configured.MaxConnections ?? budget?.GatewayConnections,
            MaxConnectionsPerClient = configured.MaxConnectionsPerClient ?? budget?.GatewayConnectionsPerClient,
            MaxUpgradedConnections = configured.MaxUpgradedConnections ?? budget?.GatewayUpgradedConnections,
            MaxRequestBody = configured.MaxRequestBody,
            MaxHops = configured.MaxHops,
        };
        var adminMax = configured.AdminMaxConnections ?? budget?.AdminConnections;
        var admin = new AdminLimits(adminMax, adminMax is { } a ? (int)Math.Max(a / 2, 1) : null, Policy(stack));

        if (budget is not null)
        {
            var needed = (2 * ((gateway.MaxConnections ?? 0) + (gateway.MaxUpgradedConnections ?? 0))) + (adminMax ?? 0) + ConnectionBudget.MinReserve;
            Log.Caps(logger, budget.FileDescriptors, gateway.MaxConnections, gateway.MaxConnectionsPerClient, gateway.MaxUpgradedConnections, adminMax, budget.Reserved);
            if (needed > budget.FileDescriptors)
            {
                Log.OverCommitted(logger, needed, budget.FileDescriptors);
            }
        }

        return (gateway, admin);
    }

    /// <summary>Registrations may not point at the daemon's own listeners nor go into the services the stack runs.</summary>
    private static RegistrationPolicy Policy(StackDefinition stack)
    {
        var policy = new RegistrationPolicy();
        policy.OwnListeners.Add(stack.Gateway.Listen);
        policy.OwnListeners.Add(stack.Gateway.Admin);
        foreach (var service in stack.Services.Where(s => !s.External))
        {
            policy.ManagedServices.Add(service.Name);
        }

        foreach (var range in stack.RegistryAllowAddresses)
        {
            policy.AllowAddresses.Add(range);
        }

        return policy;
    }

    private static partial class Log
    {
        [LoggerMessage(9011, LogLevel.Information, "Open-file limit {Descriptors}: gateway connections at most {Gateway} ({PerClient} per client, {Upgraded} upgraded), admin connections {Admin}, {Reserved} kept in reserve")]
        public static partial void Caps(ILogger logger, long descriptors, long? gateway, int? perClient, long? upgraded, long? admin, long reserved);

        [LoggerMessage(9012, LogLevel.Warning, "The connection caps in gateway.limits may take {Needed} file descriptors, more than the open-file limit {Descriptors}: a flood could exhaust them; lower the caps or raise the limit (ulimit -n)")]
        public static partial void OverCommitted(ILogger logger, long needed, long descriptors);
    }
}
