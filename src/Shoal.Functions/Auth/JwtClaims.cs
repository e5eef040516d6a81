using System.Buffers.Text;
using System.Text.Json;

namespace Shoal.Functions.Auth;

/// <summary>Turns a verified JWT's payload into the string claims and scopes API Gateway hands a function.</summary>
internal static class JwtClaims
{
    /// <summary>The claims and scopes of an encoded (base64url) payload the signature check has already accepted.</summary>
    public static (Dictionary<string, string> Claims, List<string> Scopes) Read(string encodedPayload)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        var scopes = new List<string>();
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(encodedPayload));
        if (payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            return (claims, scopes);
        }

        foreach (var claim in payload.RootElement.EnumerateObject())
        {
            if (claim.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            claims[claim.Name] = Format(claim.Value);
            if (claim.NameEquals("scope") || claim.NameEquals("scp"))
            {
                AddScopes(claim.Value, scopes);
            }
        }

        return (claims, scopes);
    }

    /// <summary>
    /// A claim as HTTP API JWT authorizers render it: strings as they are, arrays as <c>[a b]</c> (Go's formatting,
    /// which API Gateway uses), numbers and booleans as their JSON text, objects as compact JSON.
    /// </summary>
    internal static string Format(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => "[" + string.Join(' ', value.EnumerateArray().Select(Format)) + "]",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    // OAuth puts scopes in a space-separated "scope" string; Azure AD and others use "scp", as a string or an array.
    private static void AddScopes(JsonElement value, List<string> scopes)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            foreach (var scope in value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                AddScope(scope, scopes);
            }
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } scope)
                {
                    AddScope(scope, scopes);
                }
            }
        }
    }

    private static void AddScope(string scope, List<string> scopes)
    {
        if (!scopes.Contains(scope, StringComparer.Ordinal))
        {
            scopes.Add(scope);
        }
    }
}
