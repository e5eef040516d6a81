using Shoal.Bench.Scenarios;
using Shoal.Configuration;

namespace Shoal.Bench.Tests.Scenarios;

public sealed class ScenarioLoaderTests
{
    [Fact]
    public void Parse_FullScenario_ReadsEveryStep()
    {
        var plan = ScenarioLoader.Parse("""
            url: http://127.0.0.1:8080/api/session
            method: POST
            headers: { X-Session-Id: "s-{{client}}" }
            body: '{"requestNum": {{n}}}'
            timeout: 2s
            count_field: container
            slo: "p99<100ms,errors=0"
            steps:
              - { name: warm-up, duration: 2s, record: false }
              - { name: ramp, duration: 10s, rate: 100, rate_to: 500/s, connections: 50 }
              - { name: steady, duration: 30s, connections: 10, think: 10ms }
              - { name: spike, requests: 5000, connections: 200 }
            """, "bench.yml", "/tmp");

        Assert.Equal("POST", plan.Method);
        Assert.Equal("container", plan.Count.Field);
        Assert.Equal(TimeSpan.FromSeconds(2), plan.Timeout);
        Assert.Equal(["warm-up", "ramp", "steady", "spike"], plan.Steps.Select(s => s.Name));
        Assert.False(plan.Steps[0].Record);
        Assert.Equal(100, plan.Steps[1].Rate);
        Assert.Equal(500, plan.Steps[1].RateTo);
        Assert.Equal("open", plan.Steps[1].Model);
        Assert.Equal(TimeSpan.FromMilliseconds(10), plan.Steps[2].Think);
        Assert.Equal(5000, plan.Steps[3].Requests);
    }

    [Theory]
    [InlineData("url: http://x/\nsteps:\n  - { duration: 1s, conections: 5 }\n", "bench.yml:3:21: steps[0].conections: unknown field 'conections' (did you mean 'connections'?)")]
    [InlineData("url: http://x/\nsteps:\n  - { rate: 10 }\n", "bench.yml:3:5: steps[0]: give either 'duration' or 'requests'")]
    [InlineData("url: ftp://x/\nsteps:\n  - { duration: 1s }\n", "bench.yml:1:6: url: 'ftp://x/' is not an http:// or https:// URL")]
    [InlineData("url: http://x/\nslo: p99<\nsteps:\n  - { duration: 1s }\n", "bench.yml:2:6: slo: SLO 'p99<': expected METRIC OP VALUE")]
    [InlineData("url: http://x/\nsteps:\n  - { duration: 1s, rate: fast }\n", "bench.yml:3:27: steps[0].rate: expected requests per second such as 200 or 200/s, got 'fast'")]
    public void Parse_Invalid_NamesLineAndField(string yaml, string expected)
    {
        var error = Assert.Throws<ConfigFileException>(() => ScenarioLoader.Parse(yaml, "bench.yml", "/tmp"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
