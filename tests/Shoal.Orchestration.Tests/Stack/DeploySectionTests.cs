using Shoal.Configuration;
using Shoal.Delivery.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>Delivery's <c>deploy:</c> reader; here until Delivery has a test project of its own.</summary>
public sealed class DeploySectionTests
{
    private static DeploymentDefaults Parse(string yaml) => SectionReaderHarness.Read(new DeploySectionReader(), yaml).Service<DeploymentDefaults>("app");

    [Fact]
    public void Deploy_ReadsEveryDefault()
    {
        var deploy = Parse("""
            services:
              app:
                command: [x]
                deploy:
                  steps: [10, 30, 100]
                  interval: 1m
                  max_error_rate: 2%
                  max_p99: 250ms
                  min_requests: 100
                  keep_old: 10m
                  max_surge: 2
            """);

        Assert.Equal([10, 30, 100], deploy.Steps);
        Assert.Equal(TimeSpan.FromMinutes(1), deploy.Interval);
        Assert.Equal(0.02, deploy.MaxErrorRate, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(250), deploy.MaxP99);
        Assert.Equal((100, 2), (deploy.MinRequests, deploy.MaxSurge));
        Assert.Equal(TimeSpan.FromMinutes(10), deploy.KeepOld);
    }

    [Fact]
    public void Deploy_NotGiven_IsTheDefaults()
    {
        var deploy = Parse("services:\n  app:\n    command: [x]\n");

        Assert.Equal([5, 20, 50, 100], deploy.Steps);
        Assert.Equal(new DeploymentDefaults { Steps = deploy.Steps }, deploy);
    }

    [Fact]
    public void Deploy_UnknownKey_ListsTheSectionsKeys()
    {
        Assert.Equal("shoal.yml:5:7: services.app.deploy.canary: unknown field 'canary'; allowed here: steps, interval, max_error_rate, max_p99, min_requests, keep_old, max_surge, max_unavailable, resources",
            Assert.Throws<ConfigFileException>(() => Parse("services:\n  app:\n    command: [x]\n    deploy:\n      canary: 5\n")).Message);
    }

    [Fact]
    public void Deploy_StepsOutOfOrderOrAbove100_AreErrorsAtTheirLine()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("services:\n  app:\n    command: [x]\n    deploy:\n      steps: [20, 10, 150]\n")).Message;

        Assert.Contains("shoal.yml:5:19: services.app.deploy.steps: '10' is not the next weight", message, StringComparison.Ordinal);
        Assert.Contains("'150' is not the next weight", message, StringComparison.Ordinal);
    }
}
