using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Shoal.Functions.Runtime;

/// <summary>Writes responses as the runtime does: source-generated metadata, relaxed escaping.</summary>
public static class LambdaJson
{
    // Responses are read by a JSON parser, never embedded in HTML: escaping '"' as \u0022 and '+' as \u002B
    // (the default encoder's choice) would only make a JSON body inside a response several times longer.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serializes <paramref name="value"/> to UTF-8 JSON with relaxed escaping.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value to write.</param>
    /// <param name="typeInfo">Its source-generated metadata, e.g. <c>APIGatewayJsonContext.Default.APIGatewayProxyResponse</c>.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] SerializeToUtf8Bytes<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
