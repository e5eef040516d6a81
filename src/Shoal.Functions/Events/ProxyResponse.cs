using System.Globalization;
using System.Text;
using System.Text.Json;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Events;

/// <summary>The HTTP response a function's result stands for: status, headers (already filtered) and body bytes.</summary>
internal sealed class ProxyResponse(int statusCode, List<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
{
    /// <summary>The status code.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>Headers in the order to send them; names may repeat (<c>Set-Cookie</c>).</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = headers;

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>
    /// Reads a proxy response object (<c>statusCode</c>, <c>headers</c>, <c>multiValueHeaders</c> in 1.0,
    /// <c>cookies</c> in 2.0, <c>body</c>, <c>isBase64Encoded</c>), or null when it is malformed: a status outside
    /// 200-599, a field of the wrong type, a body that is not valid base64 when it says it is. Unknown fields are
    /// ignored.
    /// </summary>
    public static ProxyResponse? Parse(JsonElement root, PayloadVersion version)
    {
        if (!TryReadStatus(root, out var status))
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (version == PayloadVersion.V1 && !TryReadMultiValueHeaders(root, headers))
        {
            return null;
        }

        if (!TryReadHeaders(root, headers) || (version == PayloadVersion.V2 && !TryReadCookies(root, headers)))
        {
            return null;
        }

        if (!TryReadBody(root, out var body))
        {
            return null;
        }

        headers.RemoveAll(static h => !ResponseHeaderRules.IsAllowed(h.Key, h.Value));
        if (!headers.Exists(static h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            // Both API flavours label a response that does not say what it is as JSON.
            headers.Add(new("Content-Type", "application/json"));
        }

        return new ProxyResponse(status, headers, body);
    }

    // A JavaScript function may well send "200"; a status API Gateway could not put on the wire is malformed.
    private static bool TryReadStatus(JsonElement root, out int status)
    {
        status = 0;
        if (!root.TryGetProperty("statusCode", out var value))
        {
            return false;
        }

        var read = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out status),
            JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out status),
            _ => false,
        };
        return read && status is >= 200 and <= 599;
    }

    private static bool TryReadHeaders(JsonElement root, List<KeyValuePair<string, string>> headers)
    {
        if (!root.TryGetProperty("headers", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var header in value.EnumerateObject())
        {
            if (!TryReadScalar(header.Value, out var text))
            {
                return false;
            }

            // REST merges headers into multiValueHeaders, and a pair present in both is sent once.
            if (text is not null && !headers.Contains(new(header.Name, text), HeaderComparer.Instance))
            {
                headers.Add(new(header.Name, text));
            }
        }

        return true;
    }

    private static bool TryReadMultiValueHeaders(JsonElement root, List<KeyValuePair<string, string>> headers)
    {
        if (!root.TryGetProperty("multiValueHeaders", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var header in value.EnumerateObject())
        {
            if (header.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (header.Value.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var item in header.Value.EnumerateArray())
            {
                if (!TryReadScalar(item, out var text))
                {
                    return false;
                }

                if (text is not null)
                {
                    headers.Add(new(header.Name, text));
                }
            }
        }

        return true;
    }

    // Each cookie of a 2.0 response becomes its own Set-Cookie header.
    private static bool TryReadCookies(JsonElement root, List<KeyValuePair<string, string>> headers)
    {
        if (!root.TryGetProperty("cookies", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var cookie in value.EnumerateArray())
        {
            if (cookie.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            headers.Add(new("Set-Cookie", cookie.GetString()!));
        }

        return true;
    }

    private static bool TryReadBody(JsonElement root, out ReadOnlyMemory<byte> body)
    {
        body = ReadOnlyMemory<byte>.Empty;
        if (!TryReadBase64Flag(root, out var base64))
        {
            return false;
        }

        if (!root.TryGetProperty("body", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var text = value.GetString()!;
        if (!base64)
        {
            body = Encoding.UTF8.GetBytes(text);
            return true;
        }

        // Convert tolerates the line breaks some encoders (Python's encodebytes, MIME) put in base64.
        var bytes = new byte[((text.Length / 4) + 1) * 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return false;
        }

        body = bytes.AsMemory(0, written);
        return true;
    }

    private static bool TryReadBase64Flag(JsonElement root, out bool base64)
    {
        base64 = false;
        if (!root.TryGetProperty("isBase64Encoded", out var value))
        {
            return true;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                base64 = true;
                return true;
            case JsonValueKind.False or JsonValueKind.Null:
                return true;
            case JsonValueKind.String when bool.TryParse(value.GetString(), out base64):
                return true;
            default:
                return false;
        }
    }

    /// <summary>A header value as text: strings as they are, numbers and booleans as JSON writes them, null as null.</summary>
    private static bool TryReadScalar(JsonElement value, out string? text)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        return text is not null || value.ValueKind == JsonValueKind.Null;
    }

    private sealed class HeaderComparer : IEqualityComparer<KeyValuePair<string, string>>
    {
        public static readonly HeaderComparer Instance = new();

        public bool Equals(KeyValuePair<string, string> x, KeyValuePair<string, string> y) =>
            string.Equals(x.Key, y.Key, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Value, y.Value, StringComparison.Ordinal);

        public int GetHashCode(KeyValuePair<string, string> obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Key), StringComparer.Ordinal.GetHashCode(obj.Value));
    }
}
