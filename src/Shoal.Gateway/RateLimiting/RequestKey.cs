using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shoal.Gateway.LoadBalancing;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// What a limit counts a request by, as a short hash: the same value gives the same key in every gateway, a huge header
/// costs one hash and not memory, and nothing the client sent reaches Redis or a log verbatim. A request without the
/// header, API key or readable claim is counted by its client address, so leaving the key out is no way around the limit.
/// </summary>
internal sealed class RequestKey
{
    private readonly string? _header;
    private readonly string? _claim;
    private readonly IList<IPNetwork> _trustedProxies;

    public RequestKey(string key, IList<IPNetwork> trustedProxies)
    {
        _trustedProxies = trustedProxies;
        if (key == RateLimitKeys.ApiKey)
        {
            _header = RateLimitKeys.ApiKeyHeader;
        }
        else if (key.StartsWith(RateLimitKeys.HeaderPrefix, StringComparison.Ordinal))
        {
            _header = key[RateLimitKeys.HeaderPrefix.Length..];
        }
        else if (key.StartsWith(RateLimitKeys.ClaimPrefix, StringComparison.Ordinal))
        {
            _claim = key[RateLimitKeys.ClaimPrefix.Length..];
        }
    }

    public string Of(HttpContext context)
    {
        if (_header is not null && context.Request.Headers[_header] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]))
        {
            return Hash('h', values.ToString());
        }

        if (_claim is not null && ClaimOf(context, _claim) is { } claim)
        {
            return Hash('c', claim);
        }

        var address = ClientAddress.Of(context, _trustedProxies);
        return Hash('a', address?.ToString() ?? string.Empty);
    }

    /// <summary>The claim's value from a bearer JWT, unvalidated: a limit is a budget, not an authorization.</summary>
    internal static string? ClaimOf(HttpContext context, string claim)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var token = new JsonWebToken(authorization[7..].Trim());
            return token.TryGetPayloadValue<object>(claim, out var value) && value is not null ? value.ToString() : null;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException)
        {
            // Not a JWT: counted by address instead.
            return null;
        }
    }

    /// <summary>The first 128 bits of SHA-256 over the kind and the value, base64url (22 characters).</summary>
    internal static string Hash(char kind, string value)
    {
        var length = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[length];
            bytes[0] = (byte)kind;
            var written = Encoding.UTF8.GetBytes(value, bytes[1..]) + 1;
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(bytes[..written], digest);
            return Base64Url.EncodeToString(digest[..16]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
