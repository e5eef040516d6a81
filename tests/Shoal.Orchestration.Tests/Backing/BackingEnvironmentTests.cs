using Shoal.Orchestration.Backing;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Backing;

/// <summary>What a dependant of postgres and redis services is told: ConnectionStrings__NAME always, DATABASE_URL and REDIS_URL when there is one of the kind.</summary>
public sealed class BackingEnvironmentTests
{
    private static ServiceDefinition Dependant(string name, IReadOnlyDictionary<string, string>? env, params string[] dependsOn) => new()
    {
        Name = name,
        Command = ["app"],
        Health = new HealthCheckDefinition(),
        WorkingDirectory = "/stacks/demo",
        DependsOn = dependsOn.Select(d => new DependencyDefinition(d, DependencyCondition.Healthy)).ToList(),
        Environment = env ?? new Dictionary<string, string>(),
    };

    private static BackingEndpoint Postgres(string service, int port, string dependant, PostgresLogin login) =>
        new(service, BackingKind.Postgres, port, new Dictionary<string, PostgresLogin> { [dependant] = login });

    private static BackingEndpoint Redis(string service, int port) => new(service, BackingKind.Redis, port, new Dictionary<string, PostgresLogin>()) { Password = "5e" + port };

    [Fact]
    public void OnePostgresOneRedis_GetsConnectionStringsAndBothUrls()
    {
        var endpoints = new Dictionary<string, BackingEndpoint>
        {
            ["db"] = Postgres("db", 5544, "app", new PostgresLogin("app", "0a1b", "app")),
            ["cache"] = Redis("cache", 6380),
        };

        var env = BackingEnvironment.For(Dependant("app", null, "db", "cache"), endpoints);

        Assert.Equal("Host=127.0.0.1;Port=5544;Username=app;Password=0a1b;Database=app", env["ConnectionStrings__db"]);
        Assert.Equal("postgres://app:0a1b@127.0.0.1:5544/app", env["DATABASE_URL"]);
        Assert.Equal("127.0.0.1:6380,password=5e6380", env["ConnectionStrings__cache"]);
        Assert.Equal("redis://default:5e6380@127.0.0.1:6380", env["REDIS_URL"]);
        Assert.Equal(4, env.Count);
    }

    [Fact]
    public void TwoOfAKind_NoSingleUrl_OnlyConnectionStrings()
    {
        var endpoints = new Dictionary<string, BackingEndpoint> { ["a"] = Redis("a", 1001), ["b"] = Redis("b", 1002) };

        var env = BackingEnvironment.For(Dependant("app", null, "a", "b"), endpoints);

        Assert.Equal(["ConnectionStrings__a", "ConnectionStrings__b"], env.Keys.Order());
    }

    [Fact]
    public void TheServicesOwnEnv_Wins_AndAPasswordWithSeparatorsIsQuotedOrEscaped()
    {
        var endpoints = new Dictionary<string, BackingEndpoint> { ["db"] = Postgres("db", 5432, "app", new PostgresLogin("postgres", "a;b@c", "postgres")) };

        var service = BackingEnvironment.Apply(Dependant("app", new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://mine" }, "db"), endpoints);

        Assert.Equal("postgres://mine", service.Environment["DATABASE_URL"]);
        Assert.Equal("Host=127.0.0.1;Port=5432;Username=postgres;Password=\"a;b@c\";Database=postgres", service.Environment["ConnectionStrings__db"]);

        var url = BackingEnvironment.For(Dependant("other", null, "db"), new Dictionary<string, BackingEndpoint> { ["db"] = Postgres("db", 5432, "other", new PostgresLogin("postgres", "a;b@c", "postgres")) })["DATABASE_URL"];
        Assert.Equal("postgres://postgres:a%3Bb%40c@127.0.0.1:5432/postgres", url);
    }

    [Fact]
    public void NoBackingDependency_LeavesTheServiceAsItIs()
    {
        var service = Dependant("app", null, "web");

        Assert.Same(service, BackingEnvironment.Apply(service, new Dictionary<string, BackingEndpoint> { ["cache"] = Redis("cache", 6379) }));
    }
}
