using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Auth;

public sealed class FunctionAuthenticatorTests : IDisposable
{
    private const string Issuer = "https://issuer.example";
    private const string Audience = "shoal-api";

    // Long past: a validator that read the real clock would find every token expired.
    private static readonly DateTimeOffset s_start = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly byte[] _hmacKey = RandomNumberGenerator.GetBytes(32);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _otherRsa = RSA.Create(2048);

    public void Dispose()
    {
        _rsa.Dispose();
        _otherRsa.Dispose();
    }

    public static TheoryData<string> Algorithms => new() { "HS256", "RS256" };

    [Fact]
    public void Authenticate_None_AllowsAnyone()
    {
        var result = Authenticator().Authenticate(Request(), RouteAuth.None);

        Assert.Equal(AuthOutcome.Allowed, result.Outcome);
        Assert.Null(result.ApiKeyId);
        Assert.Empty(result.Claims);
    }

    [Fact]
    public void Authenticate_ApiKeyRight_AllowedWithKeyId()
    {
        var request = Request(("x-api-key", "second-secret"));

        var result = Authenticator().Authenticate(request, RouteAuth.ApiKey);

        Assert.Equal(AuthOutcome.Allowed, result.Outcome);
        Assert.Equal(RouteAuth.ApiKey, result.Mode);
        Assert.Equal("second", result.ApiKeyId);
    }

    [Fact]
    public void Authenticate_ApiKeyWrong_Forbidden()
    {
        var result = Authenticator().Authenticate(Request(("x-api-key", "guess")), RouteAuth.ApiKey);

        Assert.Equal(AuthOutcome.Forbidden, result.Outcome);
        Assert.Null(result.ApiKeyId);
    }

    [Fact]
    public void Authenticate_ApiKeyMissing_Unauthenticated()
    {
        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Request(), RouteAuth.ApiKey).Outcome);
        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Request(("x-api-key", "")), RouteAuth.ApiKey).Outcome);
    }

    [Fact]
    public void Authenticate_TwoApiKeys_Forbidden()
    {
        var request = Request();
        request.Headers.Append("x-api-key", "first-secret");
        request.Headers.Append("x-api-key", "second-secret");

        Assert.Equal(AuthOutcome.Forbidden, Authenticator().Authenticate(request, RouteAuth.ApiKey).Outcome);
    }

    [Fact]
    public void Authenticate_NoKeysConfigured_RefusesEveryKey()
    {
        var authenticator = new FunctionAuthenticator(AuthSettings.None, _time);

        Assert.Equal(AuthOutcome.Forbidden, authenticator.Authenticate(Request(("x-api-key", "first-secret")), RouteAuth.ApiKey).Outcome);
        Assert.Equal(AuthOutcome.Unauthenticated, authenticator.Authenticate(Bearer(Token("HS256", Claims())), RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_Hs256Valid_ClaimsAndScopesReachResult()
    {
        var claims = Claims();
        claims["scope"] = "orders:read orders:write";
        claims["cognito:groups"] = new[] { "admin", "users" };
        claims["email_verified"] = true;

        var result = Authenticator().Authenticate(Bearer(Token("HS256", claims)), RouteAuth.Jwt);

        Assert.Equal(AuthOutcome.Allowed, result.Outcome);
        Assert.Equal(RouteAuth.Jwt, result.Mode);
        Assert.Equal("user-7", result.Claims["sub"]);
        Assert.Equal(Issuer, result.Claims["iss"]);
        Assert.Equal("[admin users]", result.Claims["cognito:groups"]);
        Assert.Equal("true", result.Claims["email_verified"]);
        Assert.Equal(TestTokens.Epoch(s_start.AddHours(1)).ToString(System.Globalization.CultureInfo.InvariantCulture), result.Claims["exp"]);
        Assert.Equal(["orders:read", "orders:write"], result.Scopes);
    }

    [Fact]
    public void Authenticate_Rs256Valid_ScpArrayBecomesScopes()
    {
        var claims = Claims();
        claims["scp"] = new[] { "files.read", "files.write" };
        claims["aud"] = new[] { "someone-else", Audience };

        var result = Authenticator().Authenticate(Bearer(Token("RS256", claims)), RouteAuth.Jwt);

        Assert.Equal(AuthOutcome.Allowed, result.Outcome);
        Assert.Equal(["files.read", "files.write"], result.Scopes);
        Assert.Equal("[someone-else shoal-api]", result.Claims["aud"]);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_Expired_Unauthenticated(string algorithm)
    {
        var authenticator = Authenticator();
        var request = Bearer(Token(algorithm, Claims()));
        Assert.Equal(AuthOutcome.Allowed, authenticator.Authenticate(request, RouteAuth.Jwt).Outcome);

        // Within the 30 s skew the token still passes; past it, it does not.
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(29));
        Assert.Equal(AuthOutcome.Allowed, authenticator.Authenticate(request, RouteAuth.Jwt).Outcome);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AuthOutcome.Unauthenticated, authenticator.Authenticate(request, RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_NotYetValid_Unauthenticated(string algorithm)
    {
        var claims = Claims();
        claims["nbf"] = TestTokens.Epoch(s_start.AddMinutes(10));
        var request = Bearer(Token(algorithm, claims));

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(request, RouteAuth.Jwt).Outcome);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(AuthOutcome.Allowed, Authenticator().Authenticate(request, RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_NoExpiry_Unauthenticated(string algorithm)
    {
        var claims = Claims();
        claims.Remove("exp");

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(Token(algorithm, claims)), RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_WrongIssuer_Unauthenticated(string algorithm)
    {
        var claims = Claims();
        claims["iss"] = "https://evil.example";

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(Token(algorithm, claims)), RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_WrongAudience_Unauthenticated(string algorithm)
    {
        var claims = Claims();
        claims["aud"] = "another-api";

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(Token(algorithm, claims)), RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_BadSignature_Unauthenticated(string algorithm)
    {
        var token = algorithm == "HS256"
            ? TestTokens.Hs256(RandomNumberGenerator.GetBytes(32), Claims())
            : TestTokens.Rs256(_otherRsa, Claims());

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(token), RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Authenticate_TamperedPayload_Unauthenticated(string algorithm)
    {
        var parts = Token(algorithm, Claims()).Split('.');
        var claims = Claims();
        claims["sub"] = "admin";
        parts[1] = TestTokens.Unsigned(claims).Split('.')[1];

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(string.Join('.', parts)), RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_AlgNone_Unauthenticated()
    {
        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(TestTokens.Unsigned(Claims())), RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_AlgorithmOutsideHs256AndRs256_Unauthenticated()
    {
        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(TestTokens.Hs512(_hmacKey, Claims())), RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_Hs256SignedWithRsaPublicKey_Unauthenticated()
    {
        // The classic key confusion: an attacker uses the published RSA key as an HMAC secret.
        var publicKey = _rsa.ExportSubjectPublicKeyInfo();

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(Bearer(TestTokens.Hs256(publicKey, Claims())), RouteAuth.Jwt).Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b.c")]
    public void Authenticate_NoUsableBearerToken_Unauthenticated(string? authorization)
    {
        var request = authorization is null ? Request() : Request(("Authorization", authorization));

        Assert.Equal(AuthOutcome.Unauthenticated, Authenticator().Authenticate(request, RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_SchemeInAnyCase_Allowed()
    {
        var request = Request(("Authorization", "bearer " + Token("HS256", Claims())));

        Assert.Equal(AuthOutcome.Allowed, Authenticator().Authenticate(request, RouteAuth.Jwt).Outcome);
    }

    [Fact]
    public void Authenticate_AnyIssuerAndAudienceWhenUnset_Allowed()
    {
        var settings = new AuthSettings { Jwt = new JwtSettings { SigningKeys = [new SymmetricSecurityKey(_hmacKey)] } };
        var claims = Claims();
        claims["iss"] = "https://anyone.example";
        claims.Remove("aud");

        var result = new FunctionAuthenticator(settings, _time).Authenticate(Bearer(Token("HS256", claims)), RouteAuth.Jwt);

        Assert.Equal(AuthOutcome.Allowed, result.Outcome);
    }

    [Theory]
    [InlineData(AuthOutcome.Unauthenticated, RouteAuth.Jwt, 401, """{"message":"Unauthorized"}""", "Bearer")]
    [InlineData(AuthOutcome.Unauthenticated, RouteAuth.ApiKey, 401, """{"message":"Unauthorized"}""", null)]
    [InlineData(AuthOutcome.Forbidden, RouteAuth.ApiKey, 403, """{"message":"Forbidden"}""", null)]
    public async Task WriteRejectionAsync_WritesApiGatewayError(AuthOutcome outcome, RouteAuth mode, int status, string body, string? challenge)
    {
        var context = new DefaultHttpContext();
        var output = new MemoryStream();
        context.Response.Body = output;

        await FunctionAuthenticator.WriteRejectionAsync(context, new AuthResult(outcome, mode, null, new Dictionary<string, string>(), []));

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(body, Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(body.Length, context.Response.ContentLength);
        Assert.Equal(challenge, context.Response.Headers.WWWAuthenticate.Count == 0 ? null : context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task WriteRejectionAsync_Allowed_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => FunctionAuthenticator.WriteRejectionAsync(new DefaultHttpContext(), AuthResult.Anonymous));
    }

    private FunctionAuthenticator Authenticator() => new(
        new AuthSettings
        {
            ApiKeys =
            [
                new ApiKeyDefinition("first", SHA256.HashData(Encoding.UTF8.GetBytes("first-secret"))),
                new ApiKeyDefinition("second", SHA256.HashData(Encoding.UTF8.GetBytes("second-secret"))),
            ],
            Jwt = new JwtSettings
            {
                Issuer = Issuer,
                Audiences = [Audience],
                SigningKeys = [new SymmetricSecurityKey(_hmacKey), new RsaSecurityKey(_rsa.ExportParameters(includePrivateParameters: false))],
            },
        },
        _time);

    private string Token(string algorithm, IDictionary<string, object?> claims) =>
        algorithm == "HS256" ? TestTokens.Hs256(_hmacKey, claims) : TestTokens.Rs256(_rsa, claims);

    private static Dictionary<string, object?> Claims() => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = "user-7",
        ["iat"] = TestTokens.Epoch(s_start),
        ["exp"] = TestTokens.Epoch(s_start.AddHours(1)),
    };

    private static HttpRequest Bearer(string token) => Request(("Authorization", "Bearer " + token));

    private static HttpRequest Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        return context.Request;
    }
}
