using Shoal.Functions.Configuration;

namespace Shoal.Functions.Auth;

/// <summary>The outcome of authenticating one request, and who the caller is when it is allowed.</summary>
/// <param name="Outcome">Whether the request may go on, or the rejection to answer with.</param>
/// <param name="Mode">The route's authentication mode, which shapes the rejection and the event's authorizer fields.</param>
/// <param name="ApiKeyId">The id of the API key the caller presented (never the key itself), or null.</param>
/// <param name="Claims">A verified JWT's claims as API Gateway HTTP APIs report them: every value a string, arrays as <c>[a b]</c>.</param>
/// <param name="Scopes">The scopes of a verified JWT, from its <c>scope</c> and <c>scp</c> claims.</param>
public sealed record AuthResult(
    AuthOutcome Outcome,
    RouteAuth Mode,
    string? ApiKeyId,
    IReadOnlyDictionary<string, string> Claims,
    IReadOnlyList<string> Scopes)
{
    private static readonly IReadOnlyDictionary<string, string> s_noClaims = new Dictionary<string, string>(0, StringComparer.Ordinal);

    /// <summary>A route without authentication: allowed, nobody in particular.</summary>
    public static AuthResult Anonymous { get; } = new(AuthOutcome.Allowed, RouteAuth.None, null, s_noClaims, []);

    /// <summary>True when the request may invoke the function.</summary>
    public bool IsAllowed => Outcome == AuthOutcome.Allowed;

    internal static AuthResult Reject(AuthOutcome outcome, RouteAuth mode) => new(outcome, mode, null, s_noClaims, []);

    internal static AuthResult ForApiKey(string id) => new(AuthOutcome.Allowed, RouteAuth.ApiKey, id, s_noClaims, []);
}
