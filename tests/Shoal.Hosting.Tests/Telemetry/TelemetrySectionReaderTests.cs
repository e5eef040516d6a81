using OpenTelemetry.Exporter;
using Shoal.Configuration;
using Shoal.Hosting.Telemetry;
using Shoal.Testing.Configuration;

namespace Shoal.Hosting.Tests.Telemetry;

public sealed class TelemetrySectionReaderTests
{
    private static TracingSettings Parse(string yaml) =>
        SectionReaderHarness.Read(new TelemetrySectionReader(), yaml).Stack.Get<TelemetrySettings>().Traces;

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Telemetry_NotGiven_NothingConfigured_AllSampled()
    {
        var traces = Parse("name: demo\n");

        Assert.False(traces.Configured);
        Assert.Equal(new TracingSettings(), traces);
        Assert.Equal(1.0, traces.Sampling);
    }

    [Fact]
    public void Telemetry_Given_IsRead()
    {
        var traces = Parse("""
            telemetry:
              traces:
                otlp: { endpoint: "http://127.0.0.1:4318", protocol: http/protobuf }
                sampling: 25%
                service_name: shop-gateway
            """);

        Assert.Equal(new TracingSettings
        {
            Endpoint = new Uri("http://127.0.0.1:4318"),
            Protocol = OtlpExportProtocol.HttpProtobuf,
            Sampling = 0.25,
            ServiceName = "shop-gateway",
        }, traces);
    }

    [Theory]
    [InlineData("otlp: { protocol: thrift }", "shoal.yml:3:23: telemetry.traces.otlp.protocol: expected one of grpc, http/protobuf, got 'thrift'")]
    [InlineData("otlp: { endpoint: 'localhost:4317' }", "shoal.yml:3:23: telemetry.traces.otlp.endpoint: expected an http or https URL such as http://127.0.0.1:4318, got 'localhost:4317'")]
    [InlineData("otlp: { endpoint: 'ftp://collector:21' }", "shoal.yml:3:23: telemetry.traces.otlp.endpoint: expected an http or https URL such as http://127.0.0.1:4318, got 'ftp://collector:21'")]
    [InlineData("sampling: 1.5", "shoal.yml:3:15: telemetry.traces.sampling: 1.5 is out of range; allowed 0 to 1")]
    [InlineData("service_name: ''", "shoal.yml:3:19: telemetry.traces.service_name: a service name is non-empty text without control characters")]
    [InlineData("exporter: jaeger", "telemetry.traces.exporter")]
    public void Telemetry_BadValue_IsAnErrorNamingFileLineAndField(string line, string expected)
    {
        Assert.Contains(expected, ErrorOf($"telemetry:\n  traces:\n    {line}\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://collector:4318", OtlpExportProtocol.HttpProtobuf, "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", OtlpExportProtocol.HttpProtobuf, "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/otlp/v1/traces", OtlpExportProtocol.HttpProtobuf, "http://collector:4318/otlp/v1/traces")]
    [InlineData("http://collector:4317", OtlpExportProtocol.Grpc, "http://collector:4317/")]
    public void Configure_TheFilesEndpoint_IsABaseAddressAsInTheEnvironment(string endpoint, OtlpExportProtocol protocol, string expected)
    {
        var options = new OtlpExporterOptions();

        DaemonTracing.Configure(options, new TracingSettings { Endpoint = new Uri(endpoint), Protocol = protocol });

        Assert.Equal(protocol, options.Protocol);
        Assert.Equal(new Uri(expected), options.Endpoint);
    }
}
