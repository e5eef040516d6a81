using Microsoft.IdentityModel.Tokens;

namespace Shoal.Functions.Configuration;

/// <summary>The keys function routes authenticate with (the <c>auth:</c> section of <c>routing.yml</c>).</summary>
public sealed record AuthSettings
{
    /// <summary>No keys: routes that ask for authentication refuse everyone.</summary>
    public static AuthSettings None { get; } = new();

    /// <summary>The API keys, hashed: a key's value is never kept.</summary>
    public IReadOnlyList<ApiKeyDefinition> ApiKeys { get; init; } = [];

    /// <summary>JWT validation, or null when no route may use <c>jwt</c>.</summary>
    public JwtSettings? Jwt { get; init; }
}

/// <summary>One API key: its id (reported as <c>apiKeyId</c>) and the SHA-256 of its value.</summary>
public sealed record ApiKeyDefinition(string Id, byte[] Sha256);

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
