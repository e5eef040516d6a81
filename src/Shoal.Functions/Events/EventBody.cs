using System.Text.Json;
using System.Text.Unicode;

namespace Shoal.Functions.Events;

/// <summary>How a request body travels in a proxy event: as text when it is text, base64 otherwise.</summary>
internal static class EventBody
{
    /// <summary>
    /// Writes <c>body</c> and <c>isBase64Encoded</c>. Text media types that are valid UTF-8 go as a string; anything
    /// else (including a body without a content type) goes as base64. An empty body is <c>null</c> in 1.0 and left
    /// out in 2.0, as API Gateway does.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> body, string? contentType, bool omitWhenEmpty)
    {
        if (body.IsEmpty)
        {
            if (!omitWhenEmpty)
            {
                writer.WriteNull("body");
            }

            writer.WriteBoolean("isBase64Encoded", false);
            return;
        }

        if (IsText(contentType) && Utf8.IsValid(body))
        {
            writer.WriteString("body", body);
            writer.WriteBoolean("isBase64Encoded", false);
        }
        else
        {
            writer.WriteBase64String("body", body);
            writer.WriteBoolean("isBase64Encoded", true);
        }
    }

    /// <summary>
    /// True for media types a function reads as text: <c>text/*</c>, JSON and XML (with their <c>+json</c>/<c>+xml</c>
    /// suffixes), form posts and JavaScript.
    /// </summary>
    public static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var media = (semicolon < 0 ? contentType.AsSpan() : contentType.AsSpan(0, semicolon)).Trim();
        if (media.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!media.StartsWith("application/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var subtype = media["application/".Length..];
        return subtype.Equals("json", StringComparison.OrdinalIgnoreCase)
            || subtype.Equals("xml", StringComparison.OrdinalIgnoreCase)
            || subtype.Equals("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || subtype.Equals("javascript", StringComparison.OrdinalIgnoreCase)
            || subtype.Equals("x-javascript", StringComparison.OrdinalIgnoreCase)
            || subtype.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || subtype.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);
    }
}
