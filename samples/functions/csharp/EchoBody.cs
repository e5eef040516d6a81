using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shoal.Samples.Function;

/// <summary>Writes the echo's JSON body by hand (Utf8JsonWriter: no serializer metadata, nothing to trim).</summary>
internal static class EchoBody
{
    public static string Write(EchoRequest echo, string functionName)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        // Relaxed escaping: the body is JSON for a client, not HTML; base64's '+' stays '+'.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("function", functionName);
            writer.WriteString("version", echo.Version);
            writer.WriteString("method", echo.Method);
            writer.WriteString("path", echo.Path);
            WriteMap(writer, "pathParameters", echo.PathParameters);
            if (echo.MultiValueQuery is { } multi)
            {
                writer.WriteStartObject("query");
                foreach (var (name, values) in multi)
                {
                    writer.WriteStartArray(name);
                    foreach (var value in values)
                    {
                        writer.WriteStringValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }
            else
            {
                WriteMap(writer, "query", echo.Query);
            }

            writer.WriteStartArray("cookies");
            foreach (var cookie in echo.Cookies)
            {
                writer.WriteStringValue(cookie);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("authorizer");
            if (echo.Claims is null)
            {
                writer.WriteNull("claims");
            }
            else
            {
                WriteMap(writer, "claims", echo.Claims);
            }

            writer.WriteString("apiKeyId", echo.ApiKeyId);
            writer.WriteEndObject();
            writer.WriteString("requestId", echo.RequestId);
            writer.WriteString("stage", echo.Stage);
            writer.WriteString("sourceIp", echo.SourceIp);
            writer.WriteString("bodyBase64", Convert.ToBase64String(echo.Body));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IDictionary<string, string>? map)
    {
        writer.WriteStartObject(name);
        if (map is not null)
        {
            foreach (var (key, value) in map)
            {
                writer.WriteString(key, value);
            }
        }

        writer.WriteEndObject();
    }
}
