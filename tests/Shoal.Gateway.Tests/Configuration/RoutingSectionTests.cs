using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class RoutingSectionTests
{
    private static SectionReadResult Parse(string yaml, string fullPath = "/stacks/demo/shoal.yml") => SectionReaderHarness.Read(new GatewaySectionReader(), yaml, fullPath);

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_LoadBalancingAndResilience_AreRead()
    {
        var app = Parse("""
            gateway:
              trusted_proxies: [10.0.0.0/8, 127.0.0.1]
            services:
              app:
                command: [x]
                load_balancing: { strategy: consistent-hash, hash_key: "header:X-User", bounded_load: 1.25, virtual_nodes: 100 }
                resilience:
                  timeout: 2s
                  retries: { max_attempts: 4, backoff: 10ms, max_backoff: 100ms, budget: 10%, min_retries_per_second: 1 }
                  circuit_breaker: { consecutive_failures: 3, failure_ratio: 0.25, minimum_requests: 5, window: 5s, break_duration: 1s }
                  outliers: { consecutive_failures: 2, ejection_time: 500ms, max_ejection_percent: 30 }
                  bulkhead: { max_concurrent: 10, max_concurrent_per_instance: 4, queue_size: 10, queue_timeout: 200ms }
                  slow_start: 10s
            """).Service<ServiceRouting>("app");

        Assert.Equal(new LoadBalancingSettings { Strategy = "consistent-hash", HashKey = "header:X-User", BoundedLoad = 1.25, VirtualNodes = 100, Settings = app.LoadBalancing.Settings }, app.LoadBalancing);
        Assert.Equal((6, 33), app.StrategyPosition);
        var r = app.Resilience;
        Assert.Equal(TimeSpan.FromSeconds(2), r.Timeout);
        Assert.Equal(new RetrySettings { MaxAttempts = 4, Backoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(100), Budget = 0.1, MinRetriesPerSecond = 1 }, r.Retries);
        Assert.Equal(new CircuitBreakerSettings { ConsecutiveFailures = 3, FailureRatio = 0.25, MinimumRequests = 5, Window = TimeSpan.FromSeconds(5), BreakDuration = TimeSpan.FromSeconds(1) }, r.CircuitBreaker);
        Assert.Equal(new OutlierSettings { ConsecutiveFailures = 2, EjectionTime = TimeSpan.FromMilliseconds(500), MaxEjectionPercent = 30 }, r.Outliers);
        Assert.Equal(new BulkheadSettings { MaxConcurrent = 10, MaxConcurrentPerInstance = 4, QueueSize = 10, QueueTimeout = TimeSpan.FromMilliseconds(200) }, r.Bulkhead);
        Assert.Equal(TimeSpan.FromSeconds(10), r.SlowStart);
    }

    [Fact]
    public void Parse_NoKeys_GiveTheDefaults()
    {
        var result = Parse("services:\n  app:\n    command: [x]\n");

        Assert.Equal(ServiceRouting.Default, result.Service<ServiceRouting>("app"));
        Assert.Equal(GatewayDefinition.DefaultListen, result.Stack.Get<GatewayDefinition>().Listen);
        Assert.Equal(GatewayDefinition.DefaultAdmin, result.Stack.Get<GatewayDefinition>().Admin);
    }

    [Fact]
    public void Parse_StrategyShorthand_IsTheStrategyName()
    {
        var app = Parse("services:\n  app:\n    command: [x]\n    load_balancing: least-requests\n").Service<ServiceRouting>("app");

        Assert.Equal("least-requests", app.LoadBalancing.Strategy);
        Assert.Equal((4, 21), app.StrategyPosition);
    }

    [Theory]
    [InlineData("load_balancing: fastest", "shoal.yml:4:21: services.app.load_balancing: unknown strategy 'fastest'; built in: round-robin, random, least-requests, power-of-two, weighted, ip-hash, session, consistent-hash (a custom one comes from gateway.plugins)")]
    [InlineData("load_balancing: { strategy: consistent-hash }", "shoal.yml:4:21: services.app.load_balancing.hash_key: consistent-hash needs a key source: hash_key: header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("load_balancing: { strategy: consistent-hash, hash_key: body }", "shoal.yml:4:60: services.app.load_balancing.hash_key: 'body' is not a key source: use header:NAME, cookie:NAME, query:NAME, path or ip")]
    [InlineData("resilience: { retries: { budget: 150% } }", "shoal.yml:4:38: services.app.resilience.retries.budget: 150% is out of range; allowed 0% to 100%")]
    [InlineData("resilience: { bulkhead: { queue_size: 5 } }", "shoal.yml:4:43: services.app.resilience.bulkhead.queue_size: a queue needs 'max_concurrent' (the limit it queues behind)")]
    [InlineData("resilience: { circuit_breaker: { failure_ratio: 2 } }", "shoal.yml:4:53: services.app.resilience.circuit_breaker.failure_ratio: 2 is out of range; allowed 0 to 1")]
    [InlineData("resilience: { retries: { backoff: 1s, max_backoff: 10ms } }", "shoal.yml:4:56: services.app.resilience.retries.max_backoff: must be at least 'backoff'")]
    [InlineData("load_balancing: { strategy: session, sesion_header: X }", "shoal.yml:4:42: services.app.load_balancing.sesion_header: unknown field 'sesion_header' (did you mean 'session_header'?)")]
    public void Parse_BadRouting_NamesLineAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n"));
    }

    [Fact]
    public void Parse_CustomStrategyWithPlugins_IsLeftToThePluginCheck()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-plugin-").FullName;
        File.WriteAllText(Path.Combine(dir, "p.dll"), "x");
        var result = Parse("gateway:\n  plugins: [p.dll]\nservices:\n  app:\n    command: [x]\n    load_balancing: nearest-region\n", Path.Combine(dir, "shoal.yml"));
        var services = new[] { ("app", result.Service<ServiceRouting>("app")) };

        var error = Assert.Throws<ConfigFileException>(() => GatewaySectionReader.CheckStrategiesExist(services, Strategies.BuiltIn, "shoal.yml"));

        Assert.StartsWith("shoal.yml:6:21: services.app.load_balancing: unknown strategy 'nearest-region'; known: consistent-hash", error.Message, StringComparison.Ordinal);
        GatewaySectionReader.CheckStrategiesExist(services, [.. Strategies.BuiltIn, "nearest-region"], "shoal.yml");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void Parse_BadTrustedProxy_IsRefused()
    {
        Assert.Equal("shoal.yml:2:21: gateway.trusted_proxies: 'not-an-ip' is not an IP address or CIDR range such as 10.0.0.0/8",
            ErrorOf("gateway:\n  trusted_proxies: [not-an-ip]\nservices:\n  app:\n    command: [x]\n"));
    }

    [Fact]
    public void OperatorToken_IsRead_AndMustDifferFromTheAdminToken()
    {
        var gateway = Parse("gateway:\n  admin_token: aaaaaaaaaaaaaaaa1\n  operator_token: bbbbbbbbbbbbbbbb2\nservices:\n  app:\n    command: [x]\n").Stack.Get<GatewayDefinition>();

        Assert.Equal("bbbbbbbbbbbbbbbb2", gateway.OperatorToken);
        Assert.Equal("shoal.yml:3:19: gateway.operator_token: the operator token must differ from the admin token",
            ErrorOf("gateway:\n  admin_token: aaaaaaaaaaaaaaaa1\n  operator_token: aaaaaaaaaaaaaaaa1\nservices:\n  app:\n    command: [x]\n"));
        Assert.Equal("shoal.yml:2:19: gateway.operator_token: an operator token needs at least 16 characters",
            ErrorOf("gateway:\n  operator_token: short\nservices:\n  app:\n    command: [x]\n"));
    }

    [Fact]
    public void AdminOffLoopback_WithoutAToken_IsAnError_AndAShortTokenToo()
    {
        var open = ErrorOf("gateway:\n  admin: http://0.0.0.0:9901\nservices:\n  app:\n    command: [x]\n");
        var weak = ErrorOf("gateway:\n  admin: http://0.0.0.0:9901\n  admin_token: short\nservices:\n  app:\n    command: [x]\n");
        var guarded = Parse("gateway:\n  admin: http://0.0.0.0:9901\n  admin_token: a-long-enough-token\nservices:\n  app:\n    command: [x]\n").Stack.Get<GatewayDefinition>();

        Assert.Contains("shoal.yml:2:10: gateway.admin: the admin listener http://0.0.0.0:9901/ is reachable from other machines", open, StringComparison.Ordinal);
        Assert.Contains("gateway.admin_token: an admin token needs at least 16 characters", weak, StringComparison.Ordinal);
        Assert.Equal("a-long-enough-token", guarded.AdminToken);
    }

    [Fact]
    public void Listeners_OnOnePort_AreAClash_AndClaimTheirPorts()
    {
        Assert.Equal("shoal.yml:3:10: gateway.admin: port clash: the admin listener and the gateway listener both use port 9000",
            ErrorOf("gateway:\n  listen: http://127.0.0.1:9000\n  admin: http://127.0.0.1:9000\nservices:\n  a:\n    command: [x]\n"));

        var gateway = Parse("gateway:\n  listen: http://127.0.0.1:18080\n").Stack.Get<GatewayDefinition>();

        Assert.Equal([new PortClaim(18080, "the gateway listener (gateway.listen)"), new PortClaim(9901, "the admin listener (gateway.admin)")], gateway.ClaimedPorts);
    }
}
