namespace Shoal.Gateway.RateLimiting;

/// <summary>The names <c>rate_limit.key</c> takes.</summary>
public static class RateLimitKeys
{
    /// <summary>The client's address (behind <c>gateway.trusted_proxies</c>, the right-most untrusted X-Forwarded-For hop).</summary>
    public const string ClientIp = "client_ip";

    /// <summary>The <c>X-Api-Key</c> header.</summary>
    public const string ApiKey = "api_key";

    /// <summary><c>header:NAME</c>: a request header's value.</summary>
    public const string HeaderPrefix = "header:";

    /// <summary><c>claim:NAME</c>: a claim of the bearer JWT in <c>Authorization</c>, read without checking its signature.</summary>
    public const string ClaimPrefix = "claim:";

    /// <summary>The header <see cref="ApiKey"/> reads.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>What is wrong with a <c>key:</c> value, or null when it is one of the forms above.</summary>
    public static string? Problem(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key is ClientIp or ApiKey)
        {
            return null;
        }

        foreach (var prefix in (string[])[HeaderPrefix, ClaimPrefix])
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                var name = key[prefix.Length..];
                return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
                    ? null
                    : $"'{key}' needs a name after '{prefix}' (letters, digits, '-', '_', '.', ':')";
            }
        }

        var hint = key.Contains("ip", StringComparison.OrdinalIgnoreCase) ? ClientIp
            : key.Contains("key", StringComparison.OrdinalIgnoreCase) ? ApiKey
            : key.Contains("claim", StringComparison.OrdinalIgnoreCase) || key == "sub" ? "claim:sub"
            : null;
        return $"unknown key '{key}'{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; use client_ip, api_key, header:NAME or claim:NAME";
    }
}
