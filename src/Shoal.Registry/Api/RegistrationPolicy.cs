using System.Net;

namespace Shoal.Registry.Api;

/// <summary>
/// What registrations over the API may point at, given by the daemon: not its own listeners (requests would loop),
/// not link-local or cloud metadata addresses unless allowed, and not the services the stack runs itself.
/// </summary>
public sealed class RegistrationPolicy
{
    /// <summary>The daemon's own listeners (gateway, admin): an instance at one of them would receive its own requests.</summary>
    public IList<Uri> OwnListeners { get; } = [];

    /// <summary>Services the stack runs (not <c>external</c>): Shoal registers their replicas itself.</summary>
    public ISet<string> ManagedServices { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Ranges let through although link-local, metadata or unspecified (<c>registry.allow_addresses</c>).</summary>
    public IList<IPNetwork> AllowAddresses { get; } = [];

    /// <summary>Resolves a host name to its addresses.</summary>
    /// <value>Defaults to DNS.</value>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; set; } = Dns.GetHostAddressesAsync;

    /// <summary>The addresses of this host's interfaces, which a listener on 0.0.0.0 or :: also answers on.</summary>
    /// <value>Defaults to the interfaces' unicast addresses, read when first needed.</value>
    public Func<IReadOnlyCollection<IPAddress>> LocalAddresses { get; set; } = LocalInterfaceAddresses;

    /// <summary>How long a host name may take to resolve before the registration is judged on its name alone.</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(2);

    private static IReadOnlyCollection<IPAddress> LocalInterfaceAddresses()
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToArray();
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return [];
        }
    }
}
