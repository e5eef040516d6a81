using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>shoal.yml's <c>postgres:</c> and <c>redis:</c>: what they read, and every bad field named by line, column and field.</summary>
public sealed class BackingTemplateTests
{
    private static StackDefinition Parse(string yaml) => StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string Refused(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Postgres_PerDependant_WithSettingsAndPort_IsRead()
    {
        var db = Parse("""
            services:
              db:
                postgres:
                  databases: per_dependant
                  port: 5544
                  settings: { max_connections: "200", shared_buffers: 64MB }
              app:
                command: [app]
                depends_on: [db]
            """).FindService("db")!;

        var backing = db.Backing!;
        Assert.Equal(BackingKind.Postgres, backing.Kind);
        Assert.True(backing.PerDependant);
        Assert.Equal(5544, backing.Port);
        Assert.Equal("db", backing.Volume);
        Assert.Equal("postgres", backing.User);
        Assert.Null(backing.Password);
        Assert.Equal("200", backing.Settings["max_connections"]);
        Assert.Equal(new FieldLocation(3, 5), backing.At);
        Assert.Null(db.Command);
    }

    [Fact]
    public void Postgres_Defaults_OneDatabaseNamedAfterTheService_AutoPort()
    {
        var backing = Parse("services:\n  orders-db:\n    postgres: {}\n").Services.Single().Backing!;

        Assert.False(backing.PerDependant);
        Assert.Equal(["orders_db"], backing.Databases);
        Assert.Null(backing.Port);
        Assert.Equal("orders-db", backing.Volume);
    }

    [Fact]
    public void Redis_WithNothingAfterIt_IsRedisWithDefaults()
    {
        var backing = Parse("services:\n  cache:\n    redis:\n").Services.Single().Backing!;

        Assert.Equal(BackingKind.Redis, backing.Kind);
        Assert.Equal("cache", backing.Volume);
        Assert.Empty(backing.Settings);
    }

    [Fact]
    public void Postgres_BadDatabasesValue_NamesTheFieldAndSuggests()
    {
        Assert.Equal(
            "shoal.yml:3:28: services.db.postgres.databases: expected per_dependant (a database and role for each dependant) or a list of database names, got 'per_dependent' (did you mean 'per_dependant'?)",
            Refused("services:\n  db:\n    postgres: { databases: per_dependent }\n"));
    }

    [Fact]
    public void Postgres_UnknownKey_SuggestsTheKnownOne()
    {
        Assert.Equal(
            "shoal.yml:4:7: services.db.postgres.setting: unknown field 'setting' (did you mean 'settings'?)",
            Refused("services:\n  db:\n    postgres:\n      setting: { max_connections: \"10\" }\n"));
    }

    [Fact]
    public void Postgres_BadDatabaseName_AndTemplateDatabase_AreRefused()
    {
        var message = Refused("services:\n  db:\n    postgres:\n      databases: [Orders, template1, ok_db]\n");

        Assert.Contains("shoal.yml:4:19: services.db.postgres.databases: 'Orders' is not a database name Shoal creates", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:4:27: services.db.postgres.databases: 'template1' is not a database name Shoal creates", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ok_db", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Template_WithCommandPortRoutesOrReplicas_IsRefusedFieldByField()
    {
        var message = Refused("""
            services:
              db:
                postgres: {}
                command: [postgres]
                port: 5432
                routes: ["/db/**"]
                replicas: 2
            """);

        Assert.Contains("shoal.yml:4:5: services.db.command: a postgres service runs the server itself: drop 'command'", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:5:5: services.db.port: a postgres service's port goes under postgres: { port: auto } (or a number)", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:6:5: services.db.routes: a postgres service runs the server itself, which speaks no HTTP for the gateway to route to: drop 'routes'", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:7:15: services.db.replicas: a postgres service runs one server on one data directory: replicas must be 0 or 1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresAndRedis_OnOneService_IsRefused()
    {
        Assert.Contains(
            "shoal.yml:4:5: services.both.redis: a service runs one server: give either 'postgres' or 'redis', not both",
            Refused("services:\n  both:\n    postgres: {}\n    redis: {}\n"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void HostileValues_VolumeEscapingSettingNewlineEmptyPassword_AreRefused()
    {
        var message = Refused("""
            services:
              db:
                postgres:
                  volume: ../../etc
                  password: ""
                  settings: { "max_connections": "1\nlisten_addresses=*", "bad key": x }
              cache:
                redis: { settings: { "dir": "/", "Bad_Key": x } }
            """);

        Assert.Contains("shoal.yml:4:15: services.db.postgres.volume: '../../etc' is not a volume name", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:5:17: services.db.postgres.password: a password is not empty and holds no control character", message, StringComparison.Ordinal);
        Assert.Contains("services.db.postgres.settings.max_connections: a setting's value cannot hold a control character", message, StringComparison.Ordinal);
        Assert.Contains("services.db.postgres.settings.bad key: not a PostgreSQL setting name", message, StringComparison.Ordinal);
        Assert.Contains("services.cache.redis.settings.Bad_Key: not a Redis setting name", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_PortOutOfRange_NamesTheRange()
    {
        Assert.Equal("shoal.yml:3:20: services.cache.redis.port: 70000 is out of range; allowed 1 to 65535", Refused("services:\n  cache:\n    redis: { port: 70000 }\n"));
    }
}
