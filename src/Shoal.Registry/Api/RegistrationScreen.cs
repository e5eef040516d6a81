using System.Net;
using System.Net.Sockets;
using Shoal.Catalog;

namespace Shoal.Registry.Api;

/// <summary>Judges a registration's target against the <see cref="RegistrationPolicy"/>: the reason it is refused, or null.</summary>
internal static class RegistrationScreen
{
    /// <summary>Host names of cloud metadata services (GCP, AWS, Azure, Alibaba, OpenStack and others).</summary>
    private static readonly HashSet<string> s_metadataNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
        "metadata.azure.com", "metadata.packet.net", "metadata.platformequinix.com",
    };

    /// <summary>Metadata and platform addresses outside the link-local ranges (Alibaba, Azure's wire server) and inside them (AWS, ECS).</summary>
    private static readonly IPAddress[] s_metadataAddresses =
    [
        IPAddress.Parse("169.254.169.254"), IPAddress.Parse("169.254.170.2"), IPAddress.Parse("fd00:ec2::254"),
        IPAddress.Parse("100.100.100.200"), IPAddress.Parse("168.63.129.16"),
    ];

    private static readonly IPNetwork s_linkLocal4 = IPNetwork.Parse("169.254.0.0/16");
    private static readonly IPNetwork s_linkLocal6 = IPNetwork.Parse("fe80::/10");
    private static readonly IPNetwork s_multicast4 = IPNetwork.Parse("224.0.0.0/4");

    /// <summary>Why <paramref name="instance"/> may not be registered, or null when it may.</summary>
    public static async Task<string?> RefusalAsync(RegistrationPolicy policy, ServiceInstance instance, TimeProvider time, CancellationToken cancellationToken)
    {
        if (policy.ManagedServices.Contains(instance.Service))
        {
            return $"service: '{instance.Service}' is run by the stack, which registers its replicas itself; register outside instances into a service declared with 'external: true'";
        }

        var host = instance.Address.Trim().TrimEnd('.');
        if (s_metadataNames.Contains(host))
        {
            return $"address: '{instance.Address}' is a cloud metadata service";
        }

        foreach (var address in await AddressesOfAsync(policy, host, time, cancellationToken).ConfigureAwait(false))
        {
            if (AddressRefusal(policy, address, instance.Port) is { } reason)
            {
                return IPAddress.TryParse(host, out _) ? $"address: {reason}" : $"address: '{instance.Address}' resolves to {address}; {reason}";
            }
        }

        return null;
    }

    /// <summary>Why a connection to <paramref name="address"/>:<paramref name="port"/> is not allowed, or null.</summary>
    internal static string? AddressRefusal(RegistrationPolicy policy, IPAddress address, int port)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var listener in policy.OwnListeners)
        {
            if (listener.Port == port && Reaches(policy, listener, address))
            {
                return $"{new IPEndPoint(address, port)} is Shoal's own listener {listener.GetLeftPart(UriPartial.Authority)}: requests sent there would come back to the gateway in a loop";
            }
        }

        if (policy.AllowAddresses.Any(n => n.Contains(address)))
        {
            return null;
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return $"{address} is the unspecified address, not one an instance listens on";
        }

        if (s_metadataAddresses.Any(address.Equals))
        {
            return $"{address} is a cloud metadata address (allow it with registry.allow_addresses)";
        }

        if (s_linkLocal4.Contains(address) || s_linkLocal6.Contains(address))
        {
            return $"{address} is a link-local address (allow it with registry.allow_addresses)";
        }

        if (s_multicast4.Contains(address) || address.Equals(IPAddress.Broadcast) || address.IsIPv6Multicast)
        {
            return $"{address} is a multicast or broadcast address, not one an instance listens on";
        }

        return null;
    }

    /// <summary>Whether a connection to <paramref name="address"/> on the listener's port reaches that listener.</summary>
    private static bool Reaches(RegistrationPolicy policy, Uri listener, IPAddress address)
    {
        // Connecting to 0.0.0.0 or :: reaches the host itself.
        var local = IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        var host = listener.IdnHost.Trim('[', ']');
        if (host is "localhost" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return local;
        }

        if (host is "*" or "+" || !IPAddress.TryParse(host, out var bound))
        {
            return local || policy.LocalAddresses().Contains(address);
        }

        if (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any))
        {
            return local || policy.LocalAddresses().Contains(address);
        }

        // Any loopback address counts as the loopback listener's alias (localhost, ::1, 127.0.0.2): refusing one that
        // might not reach it costs nothing, letting one through that does would loop.
        return address.Equals(bound) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || (IPAddress.IsLoopback(bound) && IPAddress.IsLoopback(address));
    }

    private static async Task<IReadOnlyList<IPAddress>> AddressesOfAsync(RegistrationPolicy policy, string host, TimeProvider time, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }

        // A name is judged by what it resolves to now; one that does not resolve (yet) is let through.
        using var timeout = new CancellationTokenSource(policy.ResolveTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await policy.Resolve(host, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return [];
        }
    }
}
