using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Shoal.Gateway.LoadBalancing;

namespace Shoal.Gateway.Forwarding;

/// <summary>
/// Writes <c>X-Forwarded-For/Proto/Host</c> and RFC 7239's <c>Forwarded</c> on the incoming request, which the forwarder
/// copies to the replica. A trusted proxy's values are kept and the peer appended; anyone else's are replaced, and the
/// forwarding headers the gateway does not write are removed, so a client cannot make a replica believe it came from
/// elsewhere.
/// </summary>
internal static class ForwardedHeaders
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string Forwarded = "Forwarded";

    // Other proxies' ways of saying where a request came from, which frameworks read too (ASP.NET Core's path base from
    // X-Forwarded-Prefix, nginx's X-Real-IP): the gateway never writes them, so only a trusted proxy's may pass.
    private static readonly string[] s_unwritten = ["X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP"];

    /// <summary>Adds the headers <paramref name="mode"/> names to <paramref name="context"/>'s request.</summary>
    public static void Apply(HttpContext context, ForwardedHeadersMode mode, IList<IPNetwork> trustedProxies)
    {
        if (mode == ForwardedHeadersMode.None)
        {
            return;
        }

        var request = context.Request;
        var headers = request.Headers;
        var peer = ClientAddress.Normalize(context.Connection.RemoteIpAddress);
        var trusted = peer is not null && trustedProxies.Count > 0 && ClientAddress.IsTrusted(peer, trustedProxies);
        var host = request.Host.HasValue ? request.Host.Value : null;
        if (!trusted)
        {
            RemoveUnvouched(headers, mode);
        }

        if ((mode & ForwardedHeadersMode.XForwarded) != 0)
        {
            var peerText = peer?.ToString();
            headers[ForwardedFor] = trusted ? StringValues.Concat(headers[ForwardedFor], peerText) : peerText;
            if (!trusted || StringValues.IsNullOrEmpty(headers[ForwardedProto]))
            {
                headers[ForwardedProto] = request.Scheme;
            }

            if (!trusted || StringValues.IsNullOrEmpty(headers[ForwardedHost]))
            {
                headers[ForwardedHost] = host;
            }
        }

        if ((mode & ForwardedHeadersMode.Forwarded) != 0)
        {
            var element = Element(peer, request.Scheme, host);
            headers[Forwarded] = trusted ? StringValues.Concat(headers[Forwarded], element) : element;
        }
    }

    /// <summary>
    /// Drops an untrusted client's forwarding headers of the scheme the gateway does not write (its <c>Forwarded</c>
    /// under <c>x-forwarded</c>, its <c>X-Forwarded-*</c> under <c>forwarded</c>) and the ones it never writes: left in,
    /// they would reach the replica beside the gateway's own as if a proxy had vouched for them.
    /// </summary>
    private static void RemoveUnvouched(IHeaderDictionary headers, ForwardedHeadersMode mode)
    {
        if ((mode & ForwardedHeadersMode.XForwarded) == 0)
        {
            headers.Remove(ForwardedFor);
            headers.Remove(ForwardedProto);
            headers.Remove(ForwardedHost);
        }

        if ((mode & ForwardedHeadersMode.Forwarded) == 0)
        {
            headers.Remove(Forwarded);
        }

        foreach (var name in s_unwritten)
        {
            headers.Remove(name);
        }
    }

    /// <summary>One <c>Forwarded</c> element (RFC 7239 §4): <c>for=…;proto=…;host=…</c>, quoting what the token grammar does not allow.</summary>
    internal static string Element(IPAddress? peer, string scheme, string? host)
    {
        var node = peer switch
        {
            null => "unknown",
            { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"\"[{peer}]\"",
            _ => peer.ToString(),
        };
        var element = $"for={node};proto={scheme}";
        return host is null ? element : $"{element};host={Quoted(host)}";
    }

    /// <summary>A value as an RFC 7230 token when it is one, else a quoted string (a host with a port or an IPv6 literal).</summary>
    private static string Quoted(string value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            }
        }

        return value;
    }
}
