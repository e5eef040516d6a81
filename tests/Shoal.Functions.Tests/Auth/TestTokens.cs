using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Shoal.Functions.Tests.Auth;

/// <summary>Hand-built JWTs, so a test controls every byte: header, claims and signature.</summary>
internal static class TestTokens
{
    public static string Hs256(byte[] key, IDictionary<string, object?> claims) =>
        Sign("HS256", claims, input => HMACSHA256.HashData(key, input));

    public static string Hs512(byte[] key, IDictionary<string, object?> claims) =>
        Sign("HS512", claims, input => HMACSHA512.HashData(key, input));

    public static string Rs256(RSA rsa, IDictionary<string, object?> claims) =>
        Sign("RS256", claims, input => rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static string Unsigned(IDictionary<string, object?> claims) => Sign("none", claims, _ => []);

    public static long Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds();

    private static string Sign(string algorithm, IDictionary<string, object?> claims, Func<byte[], byte[]> sign)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = algorithm, ["typ"] = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var input = header + "." + payload;
        return input + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(input)));
    }
}
