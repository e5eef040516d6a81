using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Telemetry;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class TelemetrySectionTests
{
    private static GatewayDefinition Parse(string yaml) => SectionReaderHarness.Read(new GatewaySectionReader(), yaml).Stack.Get<GatewayDefinition>();

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    private static string WithGateway(string lines) => $"gateway:\n{lines}\nservices:\n  app:\n    command: [x]\n";

    [Fact]
    public void NotGiven_MetricsOnBehindTheToken_NoAccessLog()
    {
        var gateway = Parse("services:\n  app:\n    command: [x]\n");

        Assert.True(gateway.Metrics);
        Assert.False(gateway.MetricsPublic);
        Assert.Null(gateway.AccessLog);
    }

    [Fact]
    public void Metrics_OffAndPublic_AreRead()
    {
        var gateway = Parse(WithGateway("  metrics: false\n  metrics_public: true"));

        Assert.False(gateway.Metrics);
        Assert.True(gateway.MetricsPublic);
    }

    [Fact]
    public void AccessLog_RelativePath_IsTheStackDirectorys_FormatDefaultsToJson()
    {
        var log = Parse(WithGateway("  access_log: { path: logs/access.log }")).AccessLog;

        Assert.Equal(new AccessLogSettings { Path = "/stacks/demo/logs/access.log", Format = AccessLogFormat.Json, Buffer = 8192 }, log);
    }

    [Fact]
    public void AccessLog_CombinedToStdout_WithABuffer()
    {
        var log = Parse(WithGateway("  access_log: { format: combined, path: stdout, buffer: 64 }")).AccessLog;

        Assert.Equal(new AccessLogSettings { Path = "stdout", Format = AccessLogFormat.Combined, Buffer = 64 }, log);
    }

    [Theory]
    [InlineData("  access_log: { format: xml, path: a.log }", "shoal.yml:2:25: gateway.access_log.format: expected one of json, combined, got 'xml'")]
    [InlineData("  access_log: { format: json }", "shoal.yml:2:15: gateway.access_log.path: an access log needs a path: a file, or 'stdout'")]
    [InlineData("  access_log: { path: a.log, buffer: 1 }", "shoal.yml:2:38: gateway.access_log.buffer: 1 is out of range; allowed 16 to 1000000")]
    [InlineData("  access_log: { path: a.log, rotate: daily }", "gateway.access_log.rotate")]
    [InlineData("  access_log: stdout", "shoal.yml:2:15: gateway.access_log: expected a mapping of fields")]
    [InlineData("  metrics: maybe", "shoal.yml:2:12: gateway.metrics:")]
    public void BadValue_IsAnErrorAtItsLine(string lines, string expected)
    {
        Assert.Contains(expected, ErrorOf(WithGateway(lines)), StringComparison.Ordinal);
    }
}
