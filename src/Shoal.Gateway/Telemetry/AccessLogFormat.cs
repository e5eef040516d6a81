namespace Shoal.Gateway.Telemetry;

/// <summary>The line format of the gateway's access log (<c>gateway.access_log.format</c>).</summary>
public enum AccessLogFormat
{
    /// <summary>One JSON object per line (snake_case fields).</summary>
    Json,

    /// <summary>The Apache/nginx combined format, with Shoal's fields appended.</summary>
    Combined,
}
