using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Auth;

/// <summary>
/// Authenticates a request for a function route the way API Gateway does: an <c>x-api-key</c> header checked against
/// the configured keys' SHA-256, or a JWT bearer token checked like an HTTP API JWT authorizer (signature with HS256 or
/// RS256, <c>exp</c>/<c>nbf</c> against the injected clock, issuer, audience).
/// </summary>
/// <remarks>
/// Any token that fails validation answers 401, as API Gateway's JWT authorizers do; 403 is kept for an API key that
/// is well-formed but unknown. Nothing about a caller is cached: every request is checked in full.
/// </remarks>
public sealed class FunctionAuthenticator
{
    /// <summary>The header an API key travels in.</summary>
    public const string ApiKeyHeader = "x-api-key";

    private const string BearerPrefix = "Bearer ";
    private static readonly byte[] s_unauthorized = """{"message":"Unauthorized"}"""u8.ToArray();
    private static readonly byte[] s_forbidden = """{"message":"Forbidden"}"""u8.ToArray();

    private readonly AuthSettings _settings;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _jwtParameters;

    /// <summary>Creates an authenticator for the given keys, reading time from <paramref name="time"/>.</summary>
    public FunctionAuthenticator(AuthSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _jwtParameters = settings.Jwt is { } jwt ? CreateParameters(jwt, time) : null;
    }

    /// <summary>Checks the request's credential for a route with the given mode.</summary>
    public AuthResult Authenticate(HttpRequest request, RouteAuth mode)
    {
        ArgumentNullException.ThrowIfNull(request);
        return mode switch
        {
            RouteAuth.None => AuthResult.Anonymous,
            RouteAuth.ApiKey => AuthenticateApiKey(request),
            RouteAuth.Jwt => AuthenticateJwt(request),
            _ => AuthResult.Reject(AuthOutcome.Unauthenticated, mode),
        };
    }

    /// <summary>
    /// Answers a rejected request like API Gateway: 401 <c>{"message":"Unauthorized"}</c> (with
    /// <c>WWW-Authenticate: Bearer</c> on JWT routes) or 403 <c>{"message":"Forbidden"}</c>, and nothing about why.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="result"/> allows the request.</exception>
    public static Task WriteRejectionAsync(HttpContext context, AuthResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsAllowed)
        {
            throw new ArgumentException("The request was allowed; there is nothing to reject.", nameof(result));
        }

        var response = context.Response;
        var forbidden = result.Outcome == AuthOutcome.Forbidden;
        response.StatusCode = forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        response.ContentType = "application/json";
        if (!forbidden && result.Mode == RouteAuth.Jwt)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        var body = forbidden ? s_forbidden : s_unauthorized;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private AuthResult AuthenticateApiKey(HttpRequest request)
    {
        var values = request.Headers[ApiKeyHeader];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return AuthResult.Reject(AuthOutcome.Unauthenticated, RouteAuth.ApiKey);
        }

        // Two keys at once is not a missing credential but not an acceptable one either.
        if (values.Count > 1)
        {
            return AuthResult.Reject(AuthOutcome.Forbidden, RouteAuth.ApiKey);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(values[0]!), hash);

        // Compare against every key, in constant time each, so the time taken says nothing about which bytes matched.
        string? matched = null;
        foreach (var key in _settings.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Sha256))
            {
                matched ??= key.Id;
            }
        }

        return matched is null ? AuthResult.Reject(AuthOutcome.Forbidden, RouteAuth.ApiKey) : AuthResult.ForApiKey(matched);
    }

    private AuthResult AuthenticateJwt(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (_jwtParameters is null
            || values.Count != 1
            || values[0] is not { } header
            || !header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthResult.Reject(AuthOutcome.Unauthenticated, RouteAuth.Jwt);
        }

        var token = header.AsSpan(BearerPrefix.Length).Trim().ToString();
        if (token.Length == 0 || token.Length > _handler.MaximumTokenSizeInBytes)
        {
            return AuthResult.Reject(AuthOutcome.Unauthenticated, RouteAuth.Jwt);
        }

        TokenValidationResult result;
        try
        {
            // The keys are static (no metadata endpoint, no ConfigurationManager), so validation never waits on I/O
            // and the task is complete when it returns; this keeps Authenticate synchronous for the request path.
            result = _handler.ValidateTokenAsync(token, _jwtParameters).GetAwaiter().GetResult();
        }
        catch (ArgumentException)
        {
            return AuthResult.Reject(AuthOutcome.Unauthenticated, RouteAuth.Jwt);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return AuthResult.Reject(AuthOutcome.Unauthenticated, RouteAuth.Jwt);
        }

        var (claims, scopes) = JwtClaims.Read(jwt.EncodedPayload);
        return new AuthResult(AuthOutcome.Allowed, RouteAuth.Jwt, null, claims, scopes);
    }

    private static TokenValidationParameters CreateParameters(JwtSettings jwt, TimeProvider time) => new()
    {
        // Only the two algorithms Shoal supports: this also refuses "none" and the HS/RS key-confusion trick.
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256],
        IssuerSigningKeys = jwt.SigningKeys,
        TryAllIssuerSigningKeys = true,
        RequireSignedTokens = true,
        ValidateIssuer = jwt.Issuer is not null,
        ValidIssuer = jwt.Issuer,
        ValidateAudience = jwt.Audiences.Count > 0,
        ValidAudiences = jwt.Audiences,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = jwt.ClockSkew,

        // The library reads the system clock; lifetime is judged against the injected one instead. A custom
        // validator replaces all default lifetime checks, so it requires exp itself.
        LifetimeValidator = (notBefore, expires, _, parameters) => IsWithinLifetime(notBefore, expires, time.GetUtcNow().UtcDateTime, parameters.ClockSkew),
    };

    /// <summary>True when a token with these <c>nbf</c>/<c>exp</c> is valid at <paramref name="now"/>, give or take <paramref name="skew"/>.</summary>
    internal static bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, DateTime now, TimeSpan skew)
    {
        if (expires is not { } exp || (notBefore is { } nbf && nbf > exp))
        {
            return false;
        }

        return (notBefore is null || notBefore.Value <= now.Add(skew)) && exp >= now.Subtract(skew);
    }
}
