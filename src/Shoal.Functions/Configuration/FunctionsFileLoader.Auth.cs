using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Functions.Configuration;

// The auth: section of routing.yml: API keys (hashed as read) and JWT signing keys.
public static partial class FunctionsFileLoader
{
    // HS256 signs with HMAC-SHA256: a shorter secret gives less than its 256 bits of strength.
    private const int MinSecretBytes = 32;

    private static readonly string[] s_authKeys = ["api_keys", "jwt"];
    private static readonly string[] s_apiKeyKeys = ["id", "sha256", "env", "value"];
    private static readonly string[] s_keySources = ["sha256", "env", "value"];
    private static readonly string[] s_jwtKeys = ["issuer", "audience", "hs256_secret", "hs256_secret_env", "jwks_file", "clock_skew"];

    /// <summary>
    /// The settings read, and whether the file declares API keys and a JWT section (even broken ones, already reported),
    /// for checking the routes that use them.
    /// </summary>
    private sealed record AuthSection(AuthSettings Settings, bool DeclaresApiKeys, bool DeclaresJwt);

    private static AuthSection ReadAuth(YamlFields top, string directory, Func<string, string?> environment)
    {
        var a = top.GetMap("auth", s_authKeys);
        if (a is null)
        {
            var broken = top.Get("auth") is not null;
            return new AuthSection(AuthSettings.None, broken, broken);
        }

        var keys = ReadApiKeys(a, environment);
        var jwt = ReadJwt(a, directory, environment);
        var apiKeys = a.Get("api_keys");
        return new AuthSection(
            new AuthSettings { ApiKeys = keys, Jwt = jwt },
            apiKeys is not null && apiKeys is not YamlSequenceNode { Children.Count: 0 },
            a.Get("jwt") is not null);
    }

    private static List<ApiKeyDefinition> ReadApiKeys(YamlFields a, Func<string, string?> environment)
    {
        var keys = new List<ApiKeyDefinition>();
        var node = a.Get("api_keys");
        if (node is null)
        {
            return keys;
        }

        if (node is not YamlSequenceNode sequence)
        {
            a.Errors.Add(node, a.FieldPath("api_keys"), $"expected a list of keys such as - {{ id: mobile, sha256: … }}, got {YamlFields.Describe(node)}");
            return keys;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in sequence.Children)
        {
            var path = $"{a.FieldPath("api_keys")}[{index++}]";
            if (item is not YamlMappingNode map)
            {
                a.Errors.Add(item, path, $"expected a mapping with 'id' and one of 'sha256', 'env' or 'value', got {YamlFields.Describe(item)}");
                continue;
            }

            var k = new YamlFields(map, path, a.Errors, s_apiKeyKeys);
            var id = ReadKeyId(k, ids);
            var hash = ReadKeyHash(k, environment);
            if (hash is null || id is null)
            {
                continue;
            }

            // Two ids for one key would make the caller's apiKeyId depend on file order.
            if (!hashes.TryAdd(Convert.ToHexString(hash), id))
            {
                k.Errors.Add(k.Node, k.Path, $"the key of '{id}' is the key of '{hashes[Convert.ToHexString(hash)]}' too: give each id its own key");
                continue;
            }

            keys.Add(new ApiKeyDefinition(id, hash));
        }

        return keys;
    }

    private static string? ReadKeyId(YamlFields k, HashSet<string> ids)
    {
        var id = k.GetString("id");
        if (id is null)
        {
            if (k.Get("id") is null)
            {
                k.Errors.Add(k.Node, k.FieldPath("id"), "missing: give the key an id (functions see it as apiKeyId)");
            }

            return null;
        }

        if (!NamePattern().IsMatch(id))
        {
            k.Errors.Add(k.Get("id")!, k.FieldPath("id"), $"'{id}' is not a key id: use letters, digits, '-' and '_' (1 to 64 characters)");
            return null;
        }

        if (!ids.Add(id))
        {
            k.Errors.Add(k.Get("id")!, k.FieldPath("id"), $"the id '{id}' is used by another key");
            return null;
        }

        return id;
    }

    private static byte[]? ReadKeyHash(YamlFields k, Func<string, string?> environment)
    {
        var given = Array.FindAll(s_keySources, source => k.Get(source) is not null);
        if (given.Length != 1)
        {
            k.Errors.Add(given.Length == 0 ? k.Node : k.KeyNode(given[1])!, k.Path,
                "give exactly one of 'sha256' (the key's hash, preferred), 'env' (a variable holding the key) or 'value' (the key itself)");
            return null;
        }

        switch (given[0])
        {
            case "sha256":
                // The value is not echoed: a key pasted here by mistake must not reach the logs.
                var hex = k.GetString("sha256");
                if (hex is null)
                {
                    return null;
                }

                if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                {
                    k.Errors.Add(k.Get("sha256")!, k.FieldPath("sha256"), "expected the SHA-256 of the key as 64 hex digits (printf %s KEY | sha256sum)");
                    return null;
                }

                return Convert.FromHexString(hex);
            case "env":
                var name = k.GetString("env");
                return name is null ? null : HashKey(ReadVariable(k, "env", name, environment));
            default:
                var value = k.GetString("value");
                if (value is { Length: 0 })
                {
                    k.Errors.Add(k.Get("value")!, k.FieldPath("value"), "the key is empty");
                    return null;
                }

                return HashKey(value);
        }
    }

    private static byte[]? HashKey(string? key) => key is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string? ReadVariable(YamlFields f, string field, string name, Func<string, string?> environment)
    {
        if (name.Length == 0)
        {
            f.Errors.Add(f.Get(field)!, f.FieldPath(field), "the variable name is empty");
            return null;
        }

        var value = environment(name);
        if (string.IsNullOrEmpty(value))
        {
            f.Errors.Add(f.Get(field)!, f.FieldPath(field), $"the environment variable {name} is {(value is null ? "not set" : "empty")}");
            return null;
        }

        return value;
    }

    private static JwtSettings? ReadJwt(YamlFields a, string directory, Func<string, string?> environment)
    {
        var j = a.GetMap("jwt", s_jwtKeys);
        if (j is null)
        {
            return null;
        }

        var issuer = j.GetString("issuer");
        if (issuer is { Length: 0 })
        {
            j.Errors.Add(j.Get("issuer")!, j.FieldPath("issuer"), "the issuer is empty; leave it out to accept any");
        }

        var keys = new List<SecurityKey>();
        if (ReadSecret(j, environment) is { } secret)
        {
            keys.Add(new SymmetricSecurityKey(secret));
        }

        keys.AddRange(ReadJwks(j, directory));
        if (j.Get("hs256_secret") is null && j.Get("hs256_secret_env") is null && j.Get("jwks_file") is null)
        {
            j.Errors.Add(j.Node, j.Path, "missing a signing key: give hs256_secret, hs256_secret_env or jwks_file");
        }

        var defaults = new JwtSettings();
        return new JwtSettings
        {
            Issuer = issuer is { Length: > 0 } ? issuer : null,
            Audiences = ReadAudiences(j),
            SigningKeys = keys,
            ClockSkew = j.GetDuration("clock_skew", TimeSpan.Zero, TimeSpan.FromMinutes(5)) ?? defaults.ClockSkew,
        };
    }

    private static byte[]? ReadSecret(YamlFields j, Func<string, string?> environment)
    {
        var inline = j.GetString("hs256_secret");
        var variable = j.GetString("hs256_secret_env");
        if (inline is not null && variable is not null)
        {
            j.Errors.Add(j.KeyNode("hs256_secret_env")!, j.FieldPath("hs256_secret_env"), "give either 'hs256_secret' or 'hs256_secret_env', not both");
            return null;
        }

        var field = inline is not null ? "hs256_secret" : "hs256_secret_env";
        var secret = inline ?? (variable is null ? null : ReadVariable(j, field, variable, environment));
        if (secret is null)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinSecretBytes)
        {
            j.Errors.Add(j.Get(field)!, j.FieldPath(field), $"an HS256 secret needs at least {MinSecretBytes} bytes (256 bits); this one has {bytes.Length}");
            return null;
        }

        return bytes;
    }

    private static IList<SecurityKey> ReadJwks(YamlFields j, string directory)
    {
        var file = j.GetPath("jwks_file");
        if (file is null)
        {
            return [];
        }

        var at = j.Get("jwks_file")!;
        var full = Path.GetFullPath(Path.Combine(directory, file));
        if (file.Length == 0 || !File.Exists(full))
        {
            j.Errors.Add(at, j.FieldPath("jwks_file"), $"no file at '{file}' (resolved to {full})");
            return [];
        }

        IList<SecurityKey> keys;
        try
        {
            keys = new JsonWebKeySet(File.ReadAllText(full)).GetSigningKeys();
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or IOException or UnauthorizedAccessException)
        {
            j.Errors.Add(at, j.FieldPath("jwks_file"), $"cannot read '{file}' as a JWKS document ({{\"keys\": [...]}}): {ex.Message}");
            return [];
        }

        if (keys.Count == 0)
        {
            j.Errors.Add(at, j.FieldPath("jwks_file"), $"'{file}' holds no usable signing key (RSA keys need kty, n and e)");
        }

        return keys;
    }

    private static List<string> ReadAudiences(YamlFields j)
    {
        var node = j.Get("audience");
        switch (node)
        {
            case null:
                return [];
            case YamlScalarNode { Value: { Length: > 0 } audience }:
                return [audience];
            case YamlSequenceNode:
                return j.GetStringList("audience")!.ConvertAll(a => a.Value);
            default:
                j.Errors.Add(node, j.FieldPath("audience"), $"expected an audience or a list of them, got {YamlFields.Describe(node)}");
                return [];
        }
    }
}
