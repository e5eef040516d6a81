using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class ForwardedHeadersSectionTests
{
    private static GatewayDefinition Parse(string yaml) => SectionReaderHarness.Read(new GatewaySectionReader(), yaml).Stack.Get<GatewayDefinition>();

    [Theory]
    [InlineData("", ForwardedHeadersMode.XForwarded)]
    [InlineData("  forwarded_headers: x-forwarded\n", ForwardedHeadersMode.XForwarded)]
    [InlineData("  forwarded_headers: forwarded\n", ForwardedHeadersMode.Forwarded)]
    [InlineData("  forwarded_headers: both\n", ForwardedHeadersMode.Both)]
    [InlineData("  forwarded_headers: none\n", ForwardedHeadersMode.None)]
    public void ForwardedHeaders_IsRead_XForwardedByDefault(string line, ForwardedHeadersMode expected)
    {
        Assert.Equal(expected, Parse($"gateway:\n  listen: http://127.0.0.1:8080\n{line}").ForwardedHeaders);
    }

    [Fact]
    public void ForwardedHeaders_Unknown_IsAnErrorAtItsLine()
    {
        var error = Assert.Throws<ConfigFileException>(() => Parse("gateway:\n  forwarded_headers: X-Forwarded-For\n")).Message;

        Assert.Contains("shoal.yml:2:22: gateway.forwarded_headers: expected one of x-forwarded, forwarded, both, none, got 'X-Forwarded-For'", error, StringComparison.Ordinal);
    }
}
