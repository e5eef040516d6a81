using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shoal.Configuration;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Configuration;

public sealed class AuthSectionTests : IDisposable
{
    private const string Functions = "functions:\n  hello:\n    command: [x]\n    code: .\n";
    private const string Secret = "0123456789abcdef0123456789abcdef";

    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public void Dispose() => _dir.Dispose();

    private AuthSettings Load(string auth) => LoadFile("auth:\n" + auth).Auth;

    private FunctionsConfiguration LoadFile(string routing) =>
        FunctionsFileLoader.Load(_dir.Write("functions.yml", Functions), _dir.Write("routing.yml", routing), name => _environment.GetValueOrDefault(name));

    private string ErrorOf(string auth) => Assert.Throws<ConfigFileException>(() => Load(auth)).Message;

    private static byte[] Sha256(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    [Fact]
    public void Load_ApiKeysFromEachSource_AreKeptHashed()
    {
        _environment["SHOAL_CI_KEY"] = "ci-secret-key";

        var auth = Load($"""
              api_keys:
                - id: mobile
                  sha256: "{Convert.ToHexStringLower(Sha256("mobile-key"))}"
                - id: ci
                  env: SHOAL_CI_KEY
                - id: local
                  value: plain-text-key
            """);

        Assert.Equal(["mobile", "ci", "local"], auth.ApiKeys.Select(k => k.Id));
        Assert.Equal(Sha256("mobile-key"), auth.ApiKeys[0].Sha256);
        Assert.Equal(Sha256("ci-secret-key"), auth.ApiKeys[1].Sha256);
        Assert.Equal(Sha256("plain-text-key"), auth.ApiKeys[2].Sha256);
        Assert.Null(auth.Jwt);
    }

    [Fact]
    public void Load_UpperCaseHash_IsAccepted()
    {
        var auth = Load($"  api_keys: [{{ id: a, sha256: {Convert.ToHexString(Sha256("k"))} }}]\n");

        Assert.Equal(Sha256("k"), Assert.Single(auth.ApiKeys).Sha256);
    }

    [Theory]
    [InlineData("- { id: ci, env: SHOAL_CI_KEY }", "routing.yml:3:22: auth.api_keys[0].env: the environment variable SHOAL_CI_KEY is not set")]
    [InlineData("- { id: ci, env: EMPTY_KEY }", "routing.yml:3:22: auth.api_keys[0].env: the environment variable EMPTY_KEY is empty")]
    [InlineData("- { id: ci, sha256: abc }", "routing.yml:3:25: auth.api_keys[0].sha256: expected the SHA-256 of the key as 64 hex digits (printf %s KEY | sha256sum)")]
    [InlineData("- { id: ci, value: '' }", "routing.yml:3:24: auth.api_keys[0].value: the key is empty")]
    [InlineData("- { id: ci }", "routing.yml:3:7: auth.api_keys[0]: give exactly one of 'sha256' (the key's hash, preferred), 'env' (a variable holding the key) or 'value' (the key itself)")]
    [InlineData("- { id: ci, value: a, env: B }", "routing.yml:3:17: auth.api_keys[0]: give exactly one of 'sha256' (the key's hash, preferred), 'env' (a variable holding the key) or 'value' (the key itself)")]
    [InlineData("- { value: a }", "routing.yml:3:7: auth.api_keys[0].id: missing: give the key an id (functions see it as apiKeyId)")]
    [InlineData("- { id: 'my key', value: a }", "routing.yml:3:13: auth.api_keys[0].id: 'my key' is not a key id: use letters, digits, '-' and '_' (1 to 64 characters)")]
    [InlineData("- { id: a, value: x }\n    - { id: a, value: y }", "routing.yml:4:13: auth.api_keys[1].id: the id 'a' is used by another key")]
    [InlineData("- { id: a, value: x }\n    - { id: b, value: x }", "routing.yml:4:7: auth.api_keys[1]: the key of 'b' is the key of 'a' too: give each id its own key")]
    [InlineData("- { id: a, value: v, key: x }", "routing.yml:3:26: auth.api_keys[0].key: unknown field 'key'; allowed here: id, sha256, env, value")]
    [InlineData("- mobile", "routing.yml:3:7: auth.api_keys[0]: expected a mapping with 'id' and one of 'sha256', 'env' or 'value', got 'mobile'")]
    public void Load_BadApiKey_NamesFileLineAndField(string key, string expected)
    {
        _environment["EMPTY_KEY"] = "";

        Assert.Equal(expected, ErrorOf("  api_keys:\n    " + key + "\n"));
    }

    [Fact]
    public void Load_BadHash_DoesNotEchoTheValue()
    {
        Assert.DoesNotContain("my-plain-key", ErrorOf("  api_keys: [{ id: a, sha256: my-plain-key }]\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BrokenApiKeys_DoNotAlsoFailTheRoutesUsingThem()
    {
        var error = Assert.Single(Assert.Throws<ConfigFileException>(() => LoadFile("auth:\n  api_keys:\n    - { id: ci, env: UNSET }\nroutes:\n  - { path: /a, function: hello, auth: api-key }\n")).Errors);

        Assert.Equal("auth.api_keys[0].env", error.Field);
    }

    [Fact]
    public void Load_JwtWithSecret_ReadsEveryField()
    {
        var jwt = Load($"""
              jwt:
                issuer: https://issuer.example
                audience: [shoal-api, other]
                hs256_secret: "{Secret}"
                clock_skew: 10s
            """).Jwt!;

        Assert.Equal("https://issuer.example", jwt.Issuer);
        Assert.Equal(["shoal-api", "other"], jwt.Audiences);
        Assert.Equal(TimeSpan.FromSeconds(10), jwt.ClockSkew);
        Assert.Equal(Encoding.UTF8.GetBytes(Secret), Assert.IsType<SymmetricSecurityKey>(Assert.Single(jwt.SigningKeys)).Key);
    }

    [Fact]
    public void Load_JwtDefaults_AcceptAnyIssuerAndAudience()
    {
        _environment["JWT_SECRET"] = Secret + "-longer";

        var jwt = Load("  jwt:\n    hs256_secret_env: JWT_SECRET\n    audience: shoal-api\n").Jwt!;

        Assert.Null(jwt.Issuer);
        Assert.Equal(["shoal-api"], jwt.Audiences);
        Assert.Equal(TimeSpan.FromSeconds(30), jwt.ClockSkew);
        Assert.Equal(Encoding.UTF8.GetBytes(Secret + "-longer"), Assert.IsType<SymmetricSecurityKey>(Assert.Single(jwt.SigningKeys)).Key);
    }

    [Theory]
    [InlineData("hs256_secret: short", "routing.yml:3:19: auth.jwt.hs256_secret: an HS256 secret needs at least 32 bytes (256 bits); this one has 5")]
    [InlineData("hs256_secret_env: UNSET", "routing.yml:3:23: auth.jwt.hs256_secret_env: the environment variable UNSET is not set")]
    [InlineData($"hs256_secret: {Secret}\n    hs256_secret_env: JWT_SECRET", "routing.yml:4:5: auth.jwt.hs256_secret_env: give either 'hs256_secret' or 'hs256_secret_env', not both")]
    [InlineData("issuer: https://issuer.example", "routing.yml:3:5: auth.jwt: missing a signing key: give hs256_secret, hs256_secret_env or jwks_file")]
    [InlineData($"hs256_secret: {Secret}\n    clock_skew: 1h", "routing.yml:4:17: auth.jwt.clock_skew: 1h is out of range; allowed 0ms to 5m")]
    [InlineData($"hs256_secret: {Secret}\n    audience: {{ a: b }}", "routing.yml:4:15: auth.jwt.audience: expected an audience or a list of them, got a mapping")]
    [InlineData($"hs256_secret: {Secret}\n    issuer: ''", "routing.yml:4:13: auth.jwt.issuer: the issuer is empty; leave it out to accept any")]
    [InlineData($"hs256_secret: {Secret}\n    algorithm: RS256", "routing.yml:4:5: auth.jwt.algorithm: unknown field 'algorithm'; allowed here: issuer, audience, hs256_secret, hs256_secret_env, jwks_file, clock_skew")]
    [InlineData("jwks_file: keys/none.json", "routing.yml:3:16: auth.jwt.jwks_file: no file at 'keys/none.json' (resolved to {dir}/keys/none.json)")]
    public void Load_BadJwt_NamesFileLineAndField(string field, string expected)
    {
        Assert.Equal(expected.Replace("{dir}", _dir.Path, StringComparison.Ordinal), ErrorOf("  jwt:\n    " + field + "\n"));
    }

    [Fact]
    public void Load_SecretError_DoesNotEchoTheSecret()
    {
        Assert.DoesNotContain("tooshort", ErrorOf("  jwt:\n    hs256_secret: tooshort\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_JwksFile_GivesRsaKeysThatVerifyTokens()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: false);
        _dir.Write("keys/jwks.json", $$"""
            {"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "{{Base64UrlEncoder.Encode(p.Modulus)}}", "e": "{{Base64UrlEncoder.Encode(p.Exponent)}}"}]}
            """);

        var jwt = Load($"  jwt:\n    jwks_file: keys/jwks.json\n    hs256_secret: {Secret}\n").Jwt!;

        Assert.Equal(2, jwt.SigningKeys.Count);
        var key = Assert.Single(jwt.SigningKeys.OfType<RsaSecurityKey>());
        Assert.Equal("k1", key.KeyId);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "user-1")]),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = jwt.SigningKeys,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Theory]
    [InlineData("not json", "cannot read 'jwks.json' as a JWKS document")]
    [InlineData("{\"keys\": []}", "'jwks.json' holds no usable signing key (RSA keys need kty, n and e)")]
    public void Load_BadJwksFile_IsAnError(string json, string expected)
    {
        _dir.Write("jwks.json", json);

        var error = Assert.Single(Assert.Throws<ConfigFileException>(() => Load("  jwt:\n    jwks_file: jwks.json\n")).Errors);

        Assert.Equal("routing.yml:3:16: auth.jwt.jwks_file", $"{error.File}:{error.Line}:{error.Column}: {error.Field}");
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
