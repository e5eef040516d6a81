using OpenTelemetry.Exporter;

namespace Shoal.Hosting.Telemetry;

/// <summary>The <c>telemetry.traces</c> section: where spans go and how many are kept.</summary>
public sealed record TracingSettings
{
    /// <summary>The OTLP receiver's base address (<c>otlp.endpoint</c>), as in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; null to take the environment's.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>How spans are sent (<c>otlp.protocol</c>: grpc or http/protobuf); null for the environment's or the exporter's default.</summary>
    public OtlpExportProtocol? Protocol { get; init; }

    /// <summary>The share of new traces kept (<c>sampling</c>, 0.0 to 1.0); a trace the client started keeps the client's decision.</summary>
    /// <value>Defaults to 1.0.</value>
    public double Sampling { get; init; } = 1.0;

    /// <summary>The <c>service.name</c> of the daemon's spans; null for <c>OTEL_SERVICE_NAME</c>, else <c>shoal</c>.</summary>
    public string? ServiceName { get; init; }

    /// <summary>True when the stack file itself turns export on (an endpoint).</summary>
    public bool Configured => Endpoint is not null;
}
