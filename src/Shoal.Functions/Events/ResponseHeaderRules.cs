namespace Shoal.Functions.Events;

/// <summary>Which response headers a function may set, and which values Kestrel would refuse to send.</summary>
internal static class ResponseHeaderRules
{
    // Framing and connection management belong to the server: a function's Content-Length could disagree with the
    // body Shoal actually writes, and hop-by-hop headers describe a connection the function never saw.
    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "Upgrade",
        "TE",
        "Trailer",
    };

    /// <summary>
    /// True when the header may be sent: not reserved, an RFC 9110 token for a name, and a value of visible ASCII,
    /// spaces and tabs (Kestrel throws on anything else, which would turn a bad header into a failed request).
    /// </summary>
    public static bool IsAllowed(string name, string value) => IsToken(name) && !s_reserved.Contains(name) && IsValidValue(value);

    private static bool IsToken(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidValue(string value)
    {
        foreach (var c in value)
        {
            if (c is not ('\t' or (>= ' ' and <= '~')))
            {
                return false;
            }
        }

        return true;
    }
}
