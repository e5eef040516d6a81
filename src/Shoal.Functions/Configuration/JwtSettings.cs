using Microsoft.IdentityModel.Tokens;

namespace Shoal.Functions.Configuration;

/// <summary>How JWT bearer tokens are validated.</summary>
public sealed record JwtSettings
{
    /// <summary>The required <c>iss</c>, or null to accept any.</summary>
    public string? Issuer { get; init; }

    /// <summary>Accepted <c>aud</c> values; empty to accept any.</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>The keys that may sign: symmetric (HS256) and RSA (RS256, e.g. from a JWKS file).</summary>
    public IReadOnlyList<SecurityKey> SigningKeys { get; init; } = [];

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}
