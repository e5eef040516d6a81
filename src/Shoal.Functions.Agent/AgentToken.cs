using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Shoal.Functions.Agent;

/// <summary>
/// The bearer token an agent may require of its gRPC callers: the agent starts processes as its own user and its
/// instances' invoke URLs carry their secrets, so on a shared host only the gateway that started it may call it.
/// </summary>
public static class AgentToken
{
    /// <summary>A new random token (256 bits, hex).</summary>
    public static string Create() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when the request carries <c>Authorization: Bearer <paramref name="token"/></c> (compared in constant time).</summary>
    internal static bool IsPresented(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
