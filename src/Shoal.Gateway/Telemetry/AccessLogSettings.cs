namespace Shoal.Gateway.Telemetry;

/// <summary>The gateway's access log (<c>gateway.access_log</c>); off unless the section is present.</summary>
public sealed record AccessLogSettings
{
    /// <summary>What <c>path</c> says for the daemon's standard output.</summary>
    public const string StandardOutput = "stdout";

    /// <summary>The line format.</summary>
    /// <value>Defaults to <see cref="AccessLogFormat.Json"/>.</value>
    public AccessLogFormat Format { get; init; } = AccessLogFormat.Json;

    /// <summary>The file lines are appended to (absolute), or <see cref="StandardOutput"/>.</summary>
    public required string Path { get; init; }

    /// <summary>Lines waiting for the writer before new ones are dropped (and counted in <c>shoal_gateway_access_log_dropped_total</c>).</summary>
    /// <value>Defaults to 8192.</value>
    public int Buffer { get; init; } = 8192;
}
