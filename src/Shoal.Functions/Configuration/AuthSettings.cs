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
