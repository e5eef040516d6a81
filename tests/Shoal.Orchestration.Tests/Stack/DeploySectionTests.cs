using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class DeploySectionTests
{
    private static StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    [Fact]
    public void Deploy_ReadsEveryDefault()
    {
        var app = Parse("""
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
            """).Services.Single();

        Assert.Equal([10, 30, 100], app.Deploy.Steps);
        Assert.Equal(TimeSpan.FromMinutes(1), app.Deploy.Interval);
        Assert.Equal(0.02, app.Deploy.MaxErrorRate, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(250), app.Deploy.MaxP99);
        Assert.Equal((100, 2), (app.Deploy.MinRequests, app.Deploy.MaxSurge));
        Assert.Equal(TimeSpan.FromMinutes(10), app.Deploy.KeepOld);
    }

    [Fact]
    public void Deploy_StepsOutOfOrderOrAbove100_AreErrorsAtTheirLine()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("services:\n  app:\n    command: [x]\n    deploy:\n      steps: [20, 10, 150]\n")).Message;

        Assert.Contains("shoal.yml:5:19: services.app.deploy.steps: '10' is not the next weight", message, StringComparison.Ordinal);
        Assert.Contains("'150' is not the next weight", message, StringComparison.Ordinal);
    }
}
