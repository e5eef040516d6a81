using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class LimitsSectionTests
{
    private static GatewayDefinition Parse(string yaml) => SectionReaderHarness.Read(new GatewaySectionReader(), yaml).Stack.Get<GatewayDefinition>();

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    private static string WithLimits(string limits) => $"gateway:\n  limits:\n{limits}\nservices:\n  app:\n    command: [x]\n";

    [Fact]
    public void Limits_NotGiven_LeaveTheCapsToTheDaemonAndTake100MiBBodies()
    {
        var limits = Parse("services:\n  app:\n    command: [x]\n").Limits;

        Assert.Equal(new GatewayLimitsDefinition { MaxRequestBody = 100L * 1024 * 1024, MaxHops = 10 }, limits);
        Assert.Null(limits.MaxConnections);
    }

    [Fact]
    public void Limits_Given_AreRead()
    {
        var limits = Parse(WithLimits("""
                max_connections: 5000
                max_connections_per_client: 100
                max_upgraded_connections: 0
                admin_max_connections: 64
                max_request_body: 8MB
                max_hops: 3
            """)).Limits;

        Assert.Equal(new GatewayLimitsDefinition
        {
            MaxConnections = 5000, MaxConnectionsPerClient = 100, MaxUpgradedConnections = 0, AdminMaxConnections = 64, MaxRequestBody = 8L << 20, MaxHops = 3,
        }, limits);
    }

    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("512KB", 512L << 10)]
    [InlineData("1k", 1L << 10)]
    [InlineData("100MiB", 100L << 20)]
    [InlineData("2 GB", 2L << 30)]
    [InlineData("1TB", 1L << 40)]
    public void MaxRequestBody_Sizes_AreBinary(string text, long bytes)
    {
        Assert.Equal(bytes, Parse(WithLimits($"    max_request_body: {text}")).Limits.MaxRequestBody);
    }

    [Fact]
    public void MaxRequestBody_Unlimited_IsNoLimit()
    {
        Assert.Null(Parse(WithLimits("    max_request_body: unlimited")).Limits.MaxRequestBody);
    }

    [Theory]
    [InlineData("max_request_body: lots", "shoal.yml:3:23: gateway.limits.max_request_body: expected a size such as 100MB, 512KB or 1GB (or 'unlimited'), got 'lots'")]
    [InlineData("max_request_body: 2TB", "shoal.yml:3:23: gateway.limits.max_request_body: 2TB is out of range; allowed 1 byte to 1TB (or 'unlimited')")]
    [InlineData("max_request_body: 99999999999999999999GB", "shoal.yml:3:23: gateway.limits.max_request_body: 99999999999999999999GB is out of range; allowed 1 byte to 1TB (or 'unlimited')")]
    [InlineData("max_request_body: 0", "shoal.yml:3:23: gateway.limits.max_request_body: 0 is out of range; allowed 1 byte to 1TB (or 'unlimited')")]
    [InlineData("max_connections: 0", "shoal.yml:3:22: gateway.limits.max_connections: 0 is out of range; allowed 1 to 10000000")]
    [InlineData("max_hops: 1000", "shoal.yml:3:15: gateway.limits.max_hops: 1000 is out of range; allowed 1 to 255")]
    [InlineData("max_conections: 10", "gateway.limits.max_conections")]
    public void Limits_BadValue_IsAnErrorAtItsLine(string line, string expected)
    {
        Assert.Contains(expected, ErrorOf(WithLimits("    " + line)), StringComparison.Ordinal);
    }
}
