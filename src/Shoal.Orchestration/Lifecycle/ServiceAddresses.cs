using System.Globalization;
using System.Net;
using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>
/// Service discovery: where a dependant reaches each service it depends on that the gateway routes — the gateway's
/// URL, as the replica reaches it, under the names of <see cref="DiscoveryVariables"/>. A path on that URL reaches the
/// service by its routes; <c>http://NAME</c> through the gateway (Host routing) reaches all of it.
/// </summary>
internal sealed class ServiceAddresses
{
    private readonly IReadOnlyList<string> _services;
    private readonly Uri _gateway;
    private readonly IReadOnlyDictionary<string, string> _own;

    private ServiceAddresses(IReadOnlyList<string> services, Uri gateway, IReadOnlyDictionary<string, string> own)
    {
        _services = services;
        _gateway = gateway;
        _own = own;
    }

    /// <summary>The addresses <paramref name="dependant"/> gets, or null when it depends on no routed service (or the stack has no gateway).</summary>
    public static ServiceAddresses? For(ServiceDefinition dependant, StackDefinition stack)
    {
        if (stack.GatewayListen is not { } gateway)
        {
            return null;
        }

        // Only services the gateway routes are reachable there: one without routes is not published, by design.
        var services = dependant.DependsOn
            .Select(d => stack.FindService(d.Service))
            .Where(s => s is { Routes.Count: > 0 })
            .Select(s => s!.Name)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return services.Count == 0 ? null : new ServiceAddresses(services, gateway, dependant.Environment);
    }

    /// <summary>
    /// Adds the variables; <paramref name="hostAddress"/> is the host as an isolated replica reaches it (its bridge's
    /// .1), else null. A name the service's own <c>env</c> sets keeps that value, in its commands too.
    /// </summary>
    public void AddTo(IDictionary<string, string> variables, IPAddress? hostAddress)
    {
        var url = GatewayUrl(_gateway, hostAddress);
        foreach (var name in _services.SelectMany(DiscoveryVariables.For))
        {
            variables[name] = _own.GetValueOrDefault(name, url);
        }
    }

    /// <summary>
    /// The gateway's URL from where the replica runs: a gateway on every address (0.0.0.0, [::]) is reached at 127.0.0.1,
    /// or at the bridge's .1 from an isolated network; one on a given address at that address (from an isolated
    /// network too, through its default route to the host) — except loopback, which is the replica's own in an
    /// isolated network: there it is the bridge's .1 too, where <see cref="GatewayRelays"/> relays to the gateway.
    /// </summary>
    internal static string GatewayUrl(Uri listen, IPAddress? hostAddress)
    {
        var host = listen.Host;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        {
            host = hostAddress?.ToString() ?? "127.0.0.1";
        }
        else if (hostAddress is not null && GatewayRelays.Loopback(listen) is not null)
        {
            host = hostAddress.ToString();
        }

        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{listen.Port}");
    }
}
