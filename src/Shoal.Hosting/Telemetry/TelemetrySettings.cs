namespace Shoal.Hosting.Telemetry;

/// <summary>The stack file's <c>telemetry:</c> section.</summary>
public sealed record TelemetrySettings
{
    /// <summary>Trace export (<c>telemetry.traces</c>).</summary>
    public TracingSettings Traces { get; init; } = new();
}
