using System.Net;

namespace Shoal.Http;

/// <summary>
/// The client's address as the gateway resolved it through its trusted proxies (<c>gateway.trusted_proxies</c>), set
/// on a request only when there are trusted proxies; without this feature the connection's peer is the client.
/// </summary>
/// <param name="address">The client's address.</param>
public sealed class ClientAddressFeature(IPAddress address)
{
    /// <summary>The client's address (IPv4 as plain IPv4).</summary>
    public IPAddress Address { get; } = address;

    /// <summary>The client's address for <paramref name="context"/>'s request: the resolved one, else the connection's peer.</summary>
    public static IPAddress? Of(Microsoft.AspNetCore.Http.HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<ClientAddressFeature>() is { } feature)
        {
            return feature.Address;
        }

        var peer = context.Connection.RemoteIpAddress;
        return peer is { IsIPv4MappedToIPv6: true } ? peer.MapToIPv4() : peer;
    }
}
