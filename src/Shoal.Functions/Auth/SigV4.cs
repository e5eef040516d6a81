using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shoal.Functions.Auth;

/// <summary>
/// AWS Signature Version 4, the verifying side: rebuilds the canonical request and the string to sign from what was
/// received, derives the signing key from the configured secret (HMAC chain over date, region, service,
/// <c>aws4_request</c>) and compares signatures in constant time. A signature more than <see cref="MaxClockSkew"/> from
/// now is refused, as AWS does, so a captured request cannot be replayed later.
/// </summary>
public static class SigV4
{
    /// <summary>The algorithm name in the <c>Authorization</c> header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>How far the request's <c>x-amz-date</c> may be from now.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>The canonical request: method, canonical URI, canonical query, canonical headers, signed headers, payload hash.</summary>
    public static string CanonicalRequest(SigV4Request request, IReadOnlyList<string> signedHeaders)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signedHeaders);
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalUri(request.Path)).Append('\n');
        builder.Append(CanonicalQuery(request.Query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => CollapseSpaces(h.Value.Trim()));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(request.PayloadSha256);
        return builder.ToString();
    }

    /// <summary>The string to sign: algorithm, request date, credential scope, hash of the canonical request.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    /// <summary>The hex signature of <paramref name="stringToSign"/> with the key derived from <paramref name="secret"/>.</summary>
    public static string Sign(string secret, string date, string region, string service, string stringToSign)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The lower-case hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// Checks <paramref name="request"/>'s <c>Authorization</c> header against the one access key Shoal knows; null when
    /// the signature is good, else why not (for a 403's detail; it never reveals what the signature should have been).
    /// </summary>
    public static string? Verify(SigV4Request request, string accessKeyId, string secretAccessKey, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = Header(request, "Authorization");
        if (authorization is null || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return $"the request is not signed with {Algorithm}";
        }

        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !parts.TryAdd(part[..eq], part[(eq + 1)..]))
            {
                return "the Authorization header is malformed";
            }
        }

        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedList) || !parts.TryGetValue("Signature", out var signature))
        {
            return "the Authorization header needs Credential, SignedHeaders and Signature";
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return "the credential scope is malformed";
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(scope[0]), Encoding.UTF8.GetBytes(accessKeyId)))
        {
            return "the access key id is not the one configured for the Invoke API";
        }

        if (scope[3] != service)
        {
            return $"the credential scope names service '{scope[3]}', not '{service}'";
        }

        var signedHeaders = signedList.Split(';');
        if (!signedHeaders.Contains("host", StringComparer.Ordinal) || !signedHeaders.Contains("x-amz-date", StringComparer.Ordinal)
            || signedHeaders.Any(h => h.Length == 0 || h != h.ToLowerInvariant()) || !signedHeaders.SequenceEqual(signedHeaders.Order(StringComparer.Ordinal)))
        {
            return "SignedHeaders must list host and x-amz-date, in lower case and sorted";
        }

        var amzDate = Header(request, "x-amz-date");
        if (amzDate is null || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return "x-amz-date is missing or not a date such as 20150830T123600Z";
        }

        if (scope[1] != amzDate[..8])
        {
            return "the credential scope's date is not the date of x-amz-date";
        }

        if ((now - signedAt).Duration() > MaxClockSkew)
        {
            return $"the signature was made at {amzDate}, more than {MaxClockSkew.TotalMinutes:0} minutes from now";
        }

        var stringToSign = StringToSign(amzDate, string.Join('/', scope[1..]), CanonicalRequest(request, signedHeaders));
        var expected = Sign(secretAccessKey, scope[1], scope[2], scope[3], stringToSign);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : "the signature does not match";
    }

    private static string? Header(SigV4Request request, string name) =>
        request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>Each path segment percent-encoded again (services other than S3 sign the encoded path, encoded once more).</summary>
    private static string CanonicalUri(string path) =>
        path.Length == 0 ? "/" : string.Join('/', path.Split('/').Select(Encode));

    private static string CanonicalQuery(string query)
    {
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(p[(eq + 1)..]);
            return (Name: Encode(name), Value: Encode(value));
        });
        return string.Join('&', pairs.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>RFC 3986 percent-encoding: every byte but A-Z a-z 0-9 - . _ ~, upper-case hex.</summary>
    private static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
