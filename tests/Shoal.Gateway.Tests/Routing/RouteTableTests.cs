using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Tests.Routing;

public sealed class RouteTableTests
{
    [Theory]
    [InlineData("/api/whoami", "api")]
    [InlineData("/api", "api")]
    [InlineData("/API/Whoami", "api")]
    [InlineData("/api/admin/users", "admin")]
    [InlineData("/health", "health")]
    [InlineData("/health/deep", "web")]
    [InlineData("/", "web")]
    [InlineData("/apix", "web")]
    public void Match_PrefersExactThenLongestPrefix(string path, string service)
    {
        var state = GatewayTestData.State(
            new RouteDefinition("/**", "web"),
            new RouteDefinition("/api/**", "api"),
            new RouteDefinition("/api/admin/*", "admin"),
            new RouteDefinition("/health", "health"));

        Assert.Equal(service, state.Routes.Match(path)?.Service);
    }

    [Fact]
    public void Match_NoRoute_ReturnsNull()
    {
        var state = GatewayTestData.State(new RouteDefinition("/api/**", "api"));

        Assert.Null(state.Routes.Match("/other"));
    }

    [Fact]
    public void MatchHost_ARoutedServiceInAnyCase_NotLocalhostNorAnUnroutedOne()
    {
        var state = GatewayTestData.State(new RouteDefinition("/api/**", "api"), new RouteDefinition("/api/v2/**", "api"), new RouteDefinition("/x/**", "localhost"));

        Assert.Equal("api", state.Routes.MatchHost("API")?.Service);
        Assert.Null(state.Routes.MatchHost("localhost"));
        Assert.Null(state.Routes.MatchHost("worker"));
    }
}
