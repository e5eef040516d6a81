using Shoal.Configuration;
using Shoal.Orchestration.Stack;
using Shoal.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>Mutated stack files: the loader returns a stack or located errors, and never throws anything else.</summary>
[Trait("Category", Fuzz.Category)]
public sealed class StackFileFuzzTests(ITestOutputHelper output)
{
    private const string Full = """
        name: demo
        gateway:
          listen: http://127.0.0.1:18080
          admin: http://127.0.0.1:19901
          admin_token: 0123456789abcdef0123
          trusted_proxies: [10.0.0.0/8, 127.0.0.1]
        registry:
          store: sqlite:state/registry.db
        services:
          db:
            command: postgres -D "/var/lib/my data"
            port: 5432
            external: false
          app:
            command: [dotnet, app.dll]
            replicas: 3
            port: auto
            version: "2.1"
            env: { MODE: fast, RETRIES: 3 }
            health: { http: /healthz, interval: 5s, start_interval: 100ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 4 }
            restart: { policy: on-failure, backoff: 1s, max_backoff: 10s, max_restarts: 7, window: 2m }
            depends_on:
              db: { condition: healthy }
            routes: ["/api/**", /health]
            working_dir: sub
            stop_grace_period: 3s
            weight: 5
            metadata: { zone: a }
            per_replica:
              - { weight: 1, metadata: { zone: b }, env: { X: "1" } }
            load_balancing:
              strategy: consistent-hash
              hash_key: header:x-user
              bounded_load: 1.25
              virtual_nodes: 100
              session_idle_timeout: 30m
            resilience:
              timeout: 2s
              slow_start: 10s
              retries: { max_attempts: 3, backoff: 25ms, max_backoff: 250ms, budget: 20%, min_retries_per_second: 10 }
              circuit_breaker: { consecutive_failures: 5, failure_ratio: 0.5, minimum_requests: 20, window: 10s, break_duration: 5s }
              outliers: { consecutive_failures: 5, ejection_time: 2s, max_ejection_percent: 50 }
              bulkhead: { max_concurrent: 100, max_concurrent_per_instance: 10, queue_size: 50, queue_timeout: 1s }
            deploy:
              steps: [10, 50, 100]
              interval: 30s
              max_error_rate: 1%
              max_p99: 250ms
              min_requests: 100
              keep_old: 5m
              max_surge: 1
              max_unavailable: 0
          worker:
            command: ["bash", "-c", "sleep 1000"]
            restart: never
            depends_on: [db]
          edge:
            external: true
            routes: [/edge]
            load_balancing: round-robin
        """;

    private const string Small = """
        services:
          app:
            command: [dotnet, app.dll]
            replicas: 2
            port: auto
            health: /health
            restart: always
            routes:
              - /api/**
        """;

    private const string Functions = """
        name: fn
        functions:
          definitions: functions.yml
          routing: routing.yml
          agent: http://127.0.0.1:9100
          janitor_interval: 1s
        services: {}
        """;

    [Fact]
    public void Parse_MutatedStackFiles_ReturnsAStackOrLocatedErrors() =>
        Fuzz.Run(YamlMutations.Mutate(Full, Small, Functions), seed: 20_261_130, StackLoads, output.WriteLine);

    /// <summary>The fuzz property: a stack, or a <see cref="ConfigFileException"/> whose every error is located.</summary>
    internal static void StackLoads(string yaml)
    {
        try
        {
            StandardStack.Parse(yaml, "/tmp/shoal-fuzz/shoal.yml", "shoal.yml");
        }
        catch (ConfigFileException ex)
        {
            Assert.NotEmpty(ex.Errors);
            Assert.All(ex.Errors, e =>
            {
                Assert.Equal("shoal.yml", e.File);
                Assert.True(e.Line >= 1 && e.Column >= 1, $"unlocated: {e}");
            });
        }
    }
}
