namespace Shoal.Samples.Function;

/// <summary>What the echo reads from an event, whichever payload format it came in.</summary>
internal sealed class EchoRequest
{
    public required string Version { get; init; }

    public string? Method { get; init; }

    public string? Path { get; init; }

    public IDictionary<string, string>? PathParameters { get; init; }

    /// <summary>Query parameters, one value each (2.0 joins repeats with commas).</summary>
    public IDictionary<string, string>? Query { get; init; }

    /// <summary>Query parameters with every value, when the event has them (1.0).</summary>
    public IDictionary<string, IList<string>>? MultiValueQuery { get; init; }

    public IReadOnlyList<string> Cookies { get; init; } = [];

    public IDictionary<string, string>? Claims { get; init; }

    public string? ApiKeyId { get; init; }

    public string? RequestId { get; init; }

    public string? Stage { get; init; }

    public string? SourceIp { get; init; }

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    /// <summary>The first value of query parameter <paramref name="name"/>, or null.</summary>
    public string? QueryValue(string name)
    {
        if (MultiValueQuery is not null && MultiValueQuery.TryGetValue(name, out var values) && values.Count > 0)
        {
            return values[0];
        }

        return Query is not null && Query.TryGetValue(name, out var value) ? value.Split(',')[0] : null;
    }

    /// <summary>Decodes an event body: base64 when the event says so, else UTF-8 text.</summary>
    public static byte[] DecodeBody(string? body, bool isBase64Encoded) =>
        string.IsNullOrEmpty(body) ? [] : isBase64Encoded ? Convert.FromBase64String(body) : System.Text.Encoding.UTF8.GetBytes(body);

    /// <summary>Finds a header by name, ignoring case.</summary>
    public static string? Header(IDictionary<string, string>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>Splits a <c>Cookie</c> header into its <c>name=value</c> pairs.</summary>
    public static IReadOnlyList<string> SplitCookieHeader(string? header) =>
        string.IsNullOrEmpty(header) ? [] : header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
