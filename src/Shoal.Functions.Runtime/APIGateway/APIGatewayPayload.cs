using System.Text.Json;

namespace Shoal.Functions.Runtime.APIGateway;

/// <summary>Tells the two API Gateway event formats apart, for a handler that serves both.</summary>
public static class APIGatewayPayload
{
    /// <summary>
    /// Whether <paramref name="json"/> is an HTTP API payload 2.0 event: its top-level <c>version</c> is <c>"2.0"</c>.
    /// Anything else (REST events carry no version, or <c>"1.0"</c>) is payload 1.0.
    /// </summary>
    /// <param name="json">The event's bytes.</param>
    /// <returns>True for payload 2.0.</returns>
    /// <exception cref="JsonException">The bytes are not JSON.</exception>
    public static bool IsHttpApiV2(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals("version"u8);
            reader.Read();
            if (isVersion)
            {
                return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("2.0"u8);
            }

            reader.Skip();
        }

        return false;
    }
}
