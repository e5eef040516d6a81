using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.RateLimiting;
using Shoal.Gateway.Redis;
using Shoal.Testing.Configuration;

namespace Shoal.Gateway.Tests.Configuration;

public sealed class RateLimitSectionTests
{
    private static SectionReadResult Parse(string yaml) => SectionReaderHarness.Read(new GatewaySectionReader(), yaml, "/stacks/demo/shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_ServiceRouteAndGatewayLimits_AreRead()
    {
        var result = Parse("""
            gateway:
              rate_limit: { limit: 1000, window: 1s }
            services:
              cache:
                command: [redis-server]
              app:
                command: [x]
                load_balancing: { strategy: session, store: redis, redis: cache }
                rate_limit:
                  algorithm: token_bucket
                  limit: 100
                  window: 1m
                  burst: 20
                  key: claim:sub
                  store: redis
                  redis: "127.0.0.1:6379"
                  on_store_failure: closed
                  routes:
                    /api/login: { limit: 5, algorithm: sliding_window, burst: null }
            """);

        var app = result.Service<ServiceRouting>("app");
        var limit = app.RateLimit!;
        Assert.Equal(
            new RateLimitSettings { Algorithm = RateLimitAlgorithm.TokenBucket, Limit = 100, Window = TimeSpan.FromMinutes(1), Burst = 20, Key = "claim:sub", Store = StoreKind.Redis, Redis = "127.0.0.1:6379", OnStoreFailure = StoreFailureMode.Closed, Routes = limit.Routes },
            limit);
        Assert.Equal(limit with { Algorithm = RateLimitAlgorithm.SlidingWindow, Limit = 5, Routes = limit.Routes["/api/login"].Routes }, limit.Routes["/api/login"]);
        Assert.Equal(StoreKind.Redis, app.LoadBalancing.SessionStore);
        Assert.Equal("cache", app.LoadBalancing.SessionRedis);
        var gateway = result.Stack.Get<GatewayDefinition>().RateLimit!;
        Assert.Equal(new RateLimitSettings { Limit = 1000, Window = TimeSpan.FromSeconds(1), Routes = gateway.Routes }, gateway);
        Assert.Empty(gateway.Routes);
        Assert.Null(result.Service<ServiceRouting>("cache").RateLimit);
    }

    [Theory]
    [InlineData("rate_limit: { algorithm: token-bucket }", "shoal.yml:4:30: services.app.rate_limit.algorithm: unknown value 'token-bucket' (did you mean 'token_bucket'?); expected one of fixed_window, sliding_window, token_bucket")]
    [InlineData("rate_limit: { algoritm: token_bucket }", "shoal.yml:4:19: services.app.rate_limit.algoritm: unknown field 'algoritm' (did you mean 'algorithm'?)")]
    [InlineData("rate_limit: { limit: 0 }", "shoal.yml:4:26: services.app.rate_limit.limit: 0 is out of range; allowed 1 to 10000000")]
    [InlineData("rate_limit: { window: 10ms }", "shoal.yml:4:27: services.app.rate_limit.window: 10ms is out of range; allowed 1s to 1d")]
    [InlineData("rate_limit: { key: ip }", "shoal.yml:4:24: services.app.rate_limit.key: unknown key 'ip' (did you mean 'client_ip'?); use client_ip, api_key, header:NAME or claim:NAME")]
    [InlineData("rate_limit: { key: \"header:\" }", "shoal.yml:4:24: services.app.rate_limit.key: 'header:' needs a name after 'header:' (letters, digits, '-', '_', '.', ':')")]
    [InlineData("rate_limit: { burst: 5 }", "shoal.yml:4:26: services.app.rate_limit.burst: burst is the bucket size of algorithm: token_bucket; a window algorithm admits at most 'limit' per window")]
    [InlineData("rate_limit: { store: redis }", "shoal.yml:4:26: services.app.rate_limit.store: store: redis needs 'redis:', the name of a redis service of this stack (redis: cache) or an address (redis: \"127.0.0.1:6379\")")]
    [InlineData("rate_limit: { redis: cache }", "shoal.yml:4:26: services.app.rate_limit.redis: 'redis:' is used with store: redis only (did you mean to add store: redis?)")]
    [InlineData("rate_limit: { store: redis, redis: cahce }", "shoal.yml:4:40: services.app.rate_limit.redis: no service named 'cahce' in this stack; name a redis service of the stack or give an address such as \"127.0.0.1:6379\"")]
    [InlineData("rate_limit: { store: redis, redis: cach }", "shoal.yml:4:40: services.app.rate_limit.redis: no service named 'cach' in this stack (did you mean 'cache'?); name a redis service of the stack or give an address such as \"127.0.0.1:6379\"")]
    [InlineData("rate_limit: { on_store_failure: fail }", "shoal.yml:4:37: services.app.rate_limit.on_store_failure: unknown value 'fail'; expected one of open, closed")]
    [InlineData("rate_limit: { routes: { api/x: { limit: 1 } } }", "shoal.yml:4:29: services.app.rate_limit.routes.api/x: 'api/x' is not a route pattern: use an absolute path such as /api/login (exact) or /api/** (prefix)")]
    [InlineData("rate_limit: { routes: { /x: { routes: {} } } }", "shoal.yml:4:43: services.app.rate_limit.routes./x.routes: a route's limit cannot have routes of its own")]
    [InlineData("load_balancing: { strategy: round-robin, store: redis, redis: cache }", "shoal.yml:4:53: services.app.load_balancing.store: store: keeps the table of strategy: session; this service's strategy keeps none")]
    public void Parse_BadRateLimit_NamesLineColumnAndField(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n  cache:\n    command: [redis-server]\n"));
    }
}
