using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Shoal.Gateway.Telemetry;

/// <summary>Writes an <see cref="AccessLogEntry"/> as one line: a JSON object, or the combined format with Shoal's fields appended.</summary>
internal static class AccessLogFormatter
{
    private static readonly byte[] s_newline = "\n"u8.ToArray();

    public static void WriteJson(AccessLogEntry entry, Utf8JsonWriter json, Stream output)
    {
        json.Reset(output);
        json.WriteStartObject();
        json.WriteString("time", entry.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        json.WriteString("method", entry.Method);
        json.WriteString("path", entry.Path);
        json.WriteString("query", entry.Query);
        json.WriteString("protocol", entry.Protocol);
        json.WriteNumber("status", entry.Status);
        json.WriteNumber("bytes", entry.Bytes);
        json.WriteNumber("duration_ms", Math.Round(entry.DurationMs, 3));
        WriteOrNull(json, "service", entry.Service);
        WriteOrNull(json, "instance", entry.Instance);
        json.WriteNumber("attempts", entry.Attempts);
        WriteOrNull(json, "trace_id", entry.TraceId);
        WriteOrNull(json, "remote_addr", entry.RemoteAddress);
        WriteOrNull(json, "user_agent", entry.UserAgent);
        json.WriteEndObject();
        json.Flush();
        output.Write(s_newline);
    }

    /// <summary>Apache's combined format, then <c>service instance attempts duration_ms trace_id</c> as key=value pairs.</summary>
    public static string Combined(AccessLogEntry entry)
    {
        var line = new StringBuilder(256);
        line.Append(entry.RemoteAddress ?? "-").Append(" - - [")
            .Append(entry.Time.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("] \"")
            .Append(Escape(entry.Method)).Append(' ').Append(Escape(entry.Path + entry.Query)).Append(' ').Append(entry.Protocol).Append("\" ")
            .Append(entry.Status.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(entry.Bytes.ToString(CultureInfo.InvariantCulture)).Append(" \"")
            .Append(Escape(entry.Referer ?? "-")).Append("\" \"").Append(Escape(entry.UserAgent ?? "-")).Append('"')
            .Append(" service=").Append(entry.Service ?? "-")
            .Append(" instance=").Append(entry.Instance ?? "-")
            .Append(" attempts=").Append(entry.Attempts.ToString(CultureInfo.InvariantCulture))
            .Append(" duration_ms=").Append(entry.DurationMs.ToString("0.###", CultureInfo.InvariantCulture))
            .Append(" trace_id=").Append(entry.TraceId ?? "-")
            .Append('\n');
        return line.ToString();
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>Quotes and control characters from a client would break the line apart: escaped as nginx does (\xHH).</summary>
    private static string Escape(string text)
    {
        foreach (var c in text)
        {
            if (c is '"' or '\\' || char.IsControl(c))
            {
                var escaped = new StringBuilder(text.Length + 8);
                foreach (var d in text)
                {
                    if (d is '"' or '\\' || char.IsControl(d))
                    {
                        escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)d:X2}");
                    }
                    else
                    {
                        escaped.Append(d);
                    }
                }

                return escaped.ToString();
            }
        }

        return text;
    }
}
