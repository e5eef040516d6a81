using Shoal.Configuration;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.Configuration;

/// <summary>The gateway's observability settings: <c>gateway.metrics</c> and <c>gateway.access_log</c>.</summary>
public sealed partial class GatewaySectionReader
{
    private static readonly string[] s_accessLogKeys = ["format", "path", "buffer"];

    private static readonly Dictionary<string, AccessLogFormat> s_accessLogFormats = new(StringComparer.Ordinal)
    {
        ["json"] = AccessLogFormat.Json,
        ["combined"] = AccessLogFormat.Combined,
    };

    /// <summary>Null (no access log) unless <c>gateway.access_log</c> is given; a relative path is the stack directory's.</summary>
    private static AccessLogSettings? ReadAccessLog(YamlFields gateway, string directory)
    {
        var section = gateway.GetMap("access_log", s_accessLogKeys);
        if (section is null)
        {
            return null;
        }

        var path = section.GetPath("path");
        if (path is null)
        {
            if (section.Get("path") is null)
            {
                section.Errors.Add(section.Node, section.FieldPath("path"), "an access log needs a path: a file, or 'stdout'");
            }

            return null;
        }

        return new AccessLogSettings
        {
            Format = section.GetEnum("format", s_accessLogFormats) ?? AccessLogFormat.Json,
            Path = path == AccessLogSettings.StandardOutput ? path : Path.GetFullPath(Path.Combine(directory, path)),
            Buffer = section.GetInt("buffer", 16, 1_000_000) ?? 8192,
        };
    }
}
