using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Shoal.Functions.Telemetry;
using Shoal.Gateway.Telemetry;

namespace Shoal.Hosting.Telemetry;

/// <summary>
/// The daemon's tracer: listens to the gateway's and the functions' spans and exports them over OTLP, when the stack
/// file (<c>telemetry.traces.otlp</c>) or the environment (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) names a receiver. Without
/// one there is no tracer at all, so nothing listens and the request path starts no span.
/// </summary>
internal sealed class DaemonTracing(TracerProvider provider) : IAsyncDisposable
{
    private const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    private const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The tracer for <paramref name="settings"/>, or null when neither the file nor the environment asks for export.</summary>
    /// <param name="settings">The stack file's <c>telemetry.traces</c>.</param>
    /// <param name="defaultServiceName">The <c>service.name</c> when neither the settings nor <c>OTEL_SERVICE_NAME</c> give one.</param>
    public static DaemonTracing? Start(TracingSettings settings, string defaultServiceName = "shoal")
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Configured && !IsSet(EndpointVariable) && !IsSet(TracesEndpointVariable))
        {
            return null;
        }

        var resource = ResourceBuilder.CreateDefault();
        if (settings.ServiceName is not null || !IsSet(ServiceNameVariable))
        {
            resource.AddService(settings.ServiceName ?? defaultServiceName);
        }

        var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(GatewayTracing.SourceName, FunctionTracing.SourceName)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.Sampling)))
            .AddOtlpExporter(options => Configure(options, settings))
            .Build();
        return new DaemonTracing(provider);
    }

    /// <summary>
    /// The file's endpoint and protocol over the environment's. The endpoint is a base address as in
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: for http/protobuf the exporter wants the full path when it is set in code.
    /// </summary>
    internal static void Configure(OtlpExporterOptions options, TracingSettings settings)
    {
        if (settings.Protocol is { } protocol)
        {
            options.Protocol = protocol;
        }

        if (settings.Endpoint is { } endpoint)
        {
            options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf ? TracesPath(endpoint) : endpoint;
        }
    }

    internal static Uri TracesPath(Uri endpoint) =>
        endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
            ? endpoint
            : new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/traces");

    /// <summary>Flushes the spans still queued and stops listening.</summary>
    public ValueTask DisposeAsync()
    {
        provider.Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool IsSet(string variable) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));
}
