using Microsoft.AspNetCore.Http;

namespace Shoal.Http;

/// <summary>Who may use the admin API: the tokens, the paths open to anyone, other ways to prove a role.</summary>
public sealed class AdminAccessOptions
{
    /// <summary>The bearer token every request on TCP needs (outside <see cref="OpenPaths"/>); required.</summary>
    public required string Token { get; init; }

    /// <summary>A second bearer token that also allows commands the stack file does not name; null for none.</summary>
    public string? OperatorToken { get; init; }

    /// <summary>Paths anyone may GET: health, and metrics when the stack makes them public (<c>gateway.metrics_public</c>).</summary>
    /// <value>Default: <c>/healthz</c>.</value>
    public IReadOnlyList<string> OpenPaths { get; init; } = ["/healthz"];

    /// <summary>True for a request that came through the owner-only Unix socket (trusted as <see cref="AdminRole.Operator"/>).</summary>
    /// <value>Default: a connection without a remote IP address, which on Shoal's listeners is the Unix socket.</value>
    public Func<HttpContext, bool> IsLocalSocket { get; init; } = static context => context.Connection.RemoteIpAddress is null;

    /// <summary>Other credentials (e.g. SigV4 on the Invoke API), asked in turn before the bearer token.</summary>
    public IReadOnlyList<Func<HttpContext, ValueTask<AdminAuthenticationResult>>> Authenticators { get; init; } = [];
}
