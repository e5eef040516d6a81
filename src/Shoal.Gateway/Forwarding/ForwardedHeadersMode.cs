namespace Shoal.Gateway.Forwarding;

/// <summary>Which headers tell a replica who the client was (<c>gateway.forwarded_headers</c>).</summary>
[Flags]
public enum ForwardedHeadersMode
{
    /// <summary>None added; the client's own pass through as sent.</summary>
    None = 0,

    /// <summary><c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> (the default).</summary>
    XForwarded = 1,

    /// <summary>RFC 7239's <c>Forwarded</c>.</summary>
    Forwarded = 2,

    /// <summary>Both.</summary>
    Both = XForwarded | Forwarded,
}
