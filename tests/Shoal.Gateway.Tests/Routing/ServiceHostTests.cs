using Shoal.Gateway.Routing;

namespace Shoal.Gateway.Tests.Routing;

public sealed class ServiceHostTests
{
    [Theory]
    [InlineData("api", "api")]
    [InlineData("api:8080", "api")]
    [InlineData("API:1", "API")]
    [InlineData("order-api:65535", "order-api")]
    public void Name_OneLabelAndAnOptionalPort_IsTheName(string host, string name)
    {
        Assert.Equal(name, ServiceHost.Name(host).ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("api.example.com")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:8080")]
    [InlineData("api:")]
    [InlineData("api:port")]
    [InlineData("api:123456")]
    [InlineData("1api")]
    [InlineData("api_x")]
    [InlineData(":8080")]
    public void Name_AnythingElse_IsEmpty(string? host)
    {
        Assert.True(ServiceHost.Name(host).IsEmpty);
    }

    [Fact]
    public void Name_LongerThanADnsLabel_IsEmpty()
    {
        Assert.Equal(new string('a', 63), ServiceHost.Name(new string('a', 63)).ToString());
        Assert.True(ServiceHost.Name(new string('a', 64)).IsEmpty);
    }
}
