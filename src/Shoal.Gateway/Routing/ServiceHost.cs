namespace Shoal.Gateway.Routing;

/// <summary>Reads a Host header as a service's name: <c>api</c> or <c>api:8080</c> (any port), as Compose-style URLs write it.</summary>
internal static class ServiceHost
{
    /// <summary>The longest Host the gateway takes: a DNS name (253 characters), a colon and a port.</summary>
    public const int MaxLength = 253 + 6;

    // A service name is one DNS label (lower-case letters, digits, '-', starting with a letter): at most 63 characters.
    private const int MaxName = 63;

    /// <summary>
    /// The name part of <paramref name="host"/> when it can name a service (one label, then an optional numeric port),
    /// else empty. A span of the header, not a copy: every request passes here.
    /// </summary>
    public static ReadOnlySpan<char> Name(ReadOnlySpan<char> host)
    {
        var colon = host.IndexOf(':');
        var name = colon < 0 ? host : host[..colon];
        if (colon >= 0 && !IsPort(host[(colon + 1)..]))
        {
            return [];
        }

        return IsLabel(name) ? name : [];
    }

    private static bool IsPort(ReadOnlySpan<char> port) => port.Length is > 0 and <= 5 && !port.ContainsAnyExceptInRange('0', '9');

    private static bool IsLabel(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > MaxName || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
