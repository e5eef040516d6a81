using OpenTelemetry.Exporter;
using Shoal.Configuration;

namespace Shoal.Hosting.Telemetry;

/// <summary>
/// Reads the <c>telemetry:</c> section: <c>traces: { otlp: { endpoint, protocol }, sampling, service_name }</c>. Without
/// it, traces are exported only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set in the daemon's environment.
/// </summary>
public sealed class TelemetrySectionReader : IStackSectionReader
{
    private static readonly string[] s_telemetryKeys = ["traces"];
    private static readonly string[] s_traceKeys = ["otlp", "sampling", "service_name"];
    private static readonly string[] s_otlpKeys = ["endpoint", "protocol"];

    private static readonly Dictionary<string, OtlpExportProtocol> s_protocols = new(StringComparer.Ordinal)
    {
        ["grpc"] = OtlpExportProtocol.Grpc,
        ["http/protobuf"] = OtlpExportProtocol.HttpProtobuf,
    };

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("telemetry")];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [];

    /// <inheritdoc />
    public object? ReadStack(StackReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var traces = context.Top.GetMap("telemetry", s_telemetryKeys)?.GetMap("traces", s_traceKeys);
        if (traces is null)
        {
            return new TelemetrySettings();
        }

        var otlp = traces.GetMap("otlp", s_otlpKeys);
        var serviceName = traces.GetString("service_name");
        if (serviceName is { Length: 0 } || (serviceName is not null && YamlFields.ControlCharacter(serviceName) is not null))
        {
            traces.Errors.Add(traces.Get("service_name")!, traces.FieldPath("service_name"), "a service name is non-empty text without control characters");
        }

        return new TelemetrySettings
        {
            Traces = new TracingSettings
            {
                Endpoint = ReadEndpoint(otlp),
                Protocol = otlp?.GetEnum("protocol", s_protocols),
                Sampling = traces.GetFraction("sampling") ?? 1.0,
                ServiceName = serviceName,
            },
        };
    }

    /// <inheritdoc />
    public object? ReadService(ServiceReadContext context) => null;

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
    }

    private static Uri? ReadEndpoint(YamlFields? otlp)
    {
        var text = otlp?.GetString("endpoint");
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo))
        {
            return uri;
        }

        otlp!.Errors.Add(otlp.Get("endpoint")!, otlp.FieldPath("endpoint"), $"expected an http or https URL such as http://127.0.0.1:4318, got '{YamlFields.Printable(text)}'");
        return null;
    }
}
