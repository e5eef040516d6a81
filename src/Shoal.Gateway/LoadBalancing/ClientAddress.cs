using System.Net;
using Microsoft.AspNetCore.Http;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// The client's address: the connection's peer, or, when that peer is a trusted proxy, the right-most address in
/// X-Forwarded-For that is not itself a trusted proxy. A client cannot pick its own hash by sending the header directly.
/// </summary>
internal static class ClientAddress
{
    public static IPAddress? Of(HttpContext context, IList<IPNetwork> trustedProxies)
    {
        var remote = Normalize(context.Connection.RemoteIpAddress);
        if (remote is null || trustedProxies.Count == 0 || !IsTrusted(remote, trustedProxies))
        {
            return remote;
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"];
        for (var i = forwarded.Count - 1; i >= 0; i--)
        {
            var entries = forwarded[i]!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var j = entries.Length - 1; j >= 0; j--)
            {
                if (!IPAddress.TryParse(entries[j], out var hop))
                {
                    return remote;
                }

                hop = Normalize(hop)!;
                if (!IsTrusted(hop, trustedProxies))
                {
                    return hop;
                }

                remote = hop;
            }
        }

        return remote;
    }

    /// <summary>A hash of the client's address, or null when there is none.</summary>
    public static ulong? Hash(HttpContext context, IList<IPNetwork> trustedProxies)
    {
        var address = Of(context, trustedProxies);
        if (address is null)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out var written) ? HashRing.HashOf((ReadOnlySpan<byte>)bytes[..written]) : null;
    }

    internal static bool IsTrusted(IPAddress address, IList<IPNetwork> trustedProxies)
    {
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    internal static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
