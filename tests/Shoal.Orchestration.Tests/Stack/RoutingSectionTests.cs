using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Gateway.Configuration;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class RoutingSectionTests
{
    private static StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_LoadBalancingResilienceAndPerReplica_AreRead()
    {
        var app = Parse("""
            gateway:
              trusted_proxies: [10.0.0.0/8, 127.0.0.1]
            services:
              app:
                command: [x]
                replicas: 3
                port: auto
                weight: 2
                metadata: { zone: a }
                per_replica:
                  - { weight: 5, metadata: { region: eu }, env: { WORK_MS: "100" } }
                  - { weight: 3 }
                load_balancing: { strategy: consistent-hash, hash_key: "header:X-User", bounded_load: 1.25, virtual_nodes: 100 }
                resilience:
                  timeout: 2s
                  retries: { max_attempts: 4, backoff: 10ms, max_backoff: 100ms, budget: 10%, min_retries_per_second: 1 }
                  circuit_breaker: { consecutive_failures: 3, failure_ratio: 0.25, minimum_requests: 5, window: 5s, break_duration: 1s }
                  outliers: { consecutive_failures: 2, ejection_time: 500ms, max_ejection_percent: 30 }
                  bulkhead: { max_concurrent: 10, max_concurrent_per_instance: 4, queue_size: 10, queue_timeout: 200ms }
                  slow_start: 10s
            """).Services.Single();

        Assert.Equal(new LoadBalancingSettings { Strategy = "consistent-hash", HashKey = "header:X-User", BoundedLoad = 1.25, VirtualNodes = 100, Settings = app.LoadBalancing.Settings }, app.LoadBalancing);
        Assert.Equal(2, app.Weight);
        Assert.Equal(5, app.OverrideFor(1)!.Weight);
        Assert.Equal("eu", app.OverrideFor(1)!.Metadata["region"]);
        Assert.Equal("100", app.OverrideFor(1)!.Environment["WORK_MS"]);
        Assert.Null(app.OverrideFor(3));
        var r = app.Resilience;
        Assert.Equal(TimeSpan.FromSeconds(2), r.Timeout);
        Assert.Equal(new RetrySettings { MaxAttempts = 4, Backoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(100), Budget = 0.1, MinRetriesPerSecond = 1 }, r.Retries);
        Assert.Equal(new CircuitBreakerSettings { ConsecutiveFailures = 3, FailureRatio = 0.25, MinimumRequests = 5, Window = TimeSpan.FromSeconds(5), BreakDuration = TimeSpan.FromSeconds(1) }, r.CircuitBreaker);
        Assert.Equal(new OutlierSettings { ConsecutiveFailures = 2, EjectionTime = TimeSpan.FromMilliseconds(500), MaxEjectionPercent = 30 }, r.Outliers);
        Assert.Equal(new BulkheadSettings { MaxConcurrent = 10, MaxConcurrentPerInstance = 4, QueueSize = 10, QueueTimeout = TimeSpan.FromMilliseconds(200) }, r.Bulkhead);
        Assert.Equal(TimeSpan.FromSeconds(10), r.SlowStart);
    }

    [Theory]
    [InlineData("load_balancing: fastest", "shoal.yml:4:21: services.app.load_balancing: unknown strategy 'fastest'; built in: round-robin, random, least-requests, power-of-two, weighted, ip-hash, session, consistent-hash (a custom one comes from gateway.plugins)")]
    [InlineData("load_balancing: { strategy: consistent-hash }", "shoal.yml:4:21: services.app.load_balancing.hash_key: consistent-hash needs a key source: hash_key: header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("load_balancing: { strategy: consistent-hash, hash_key: body }", "shoal.yml:4:60: services.app.load_balancing.hash_key: 'body' is not a key source: use header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("weight: -1", "shoal.yml:4:13: services.app.weight: -1 is out of range; allowed 0 to 10000")]
    [InlineData("per_replica: [{ weight: -2 }]", "shoal.yml:4:29: services.app.per_replica[0].weight: -2 is out of range; allowed 0 to 10000")]
    [InlineData("resilience: { retries: { budget: 150% } }", "shoal.yml:4:38: services.app.resilience.retries.budget: 150% is out of range; allowed 0% to 100%")]
    [InlineData("resilience: { bulkhead: { queue_size: 5 } }", "shoal.yml:4:43: services.app.resilience.bulkhead.queue_size: a queue needs 'max_concurrent' (the limit it queues behind)")]
    [InlineData("resilience: { circuit_breaker: { failure_ratio: 2 } }", "shoal.yml:4:53: services.app.resilience.circuit_breaker.failure_ratio: 2 is out of range; allowed 0 to 1")]
    public void Parse_BadRouting_NamesLineAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n"));
    }

    [Fact]
    public void Parse_CustomStrategyWithPlugins_IsLeftToThePluginCheck()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-plugin-").FullName;
        File.WriteAllText(Path.Combine(dir, "p.dll"), "x");
        var stack = StandardStack.Parse("gateway:\n  plugins: [p.dll]\nservices:\n  app:\n    command: [x]\n    load_balancing: nearest-region\n", Path.Combine(dir, "shoal.yml"), "shoal.yml");

        var error = Assert.Throws<ConfigFileException>(() => GatewaySectionReader.CheckStrategiesExist(stack.Services.Select(s => (s.Name, s.Routing)), Strategies.BuiltIn, "shoal.yml"));

        Assert.StartsWith("shoal.yml:6:21: services.app.load_balancing: unknown strategy 'nearest-region'; known: consistent-hash", error.Message, StringComparison.Ordinal);
        GatewaySectionReader.CheckStrategiesExist(stack.Services.Select(s => (s.Name, s.Routing)), [.. Strategies.BuiltIn, "nearest-region"], "shoal.yml");
    }

    [Fact]
    public void Parse_BadTrustedProxy_IsRefused()
    {
        Assert.Equal("shoal.yml:2:21: gateway.trusted_proxies: 'not-an-ip' is not an IP address or CIDR range such as 10.0.0.0/8",
            ErrorOf("gateway:\n  trusted_proxies: [not-an-ip]\nservices:\n  app:\n    command: [x]\n"));
    }
}
