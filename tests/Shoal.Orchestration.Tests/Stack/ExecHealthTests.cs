using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>shoal.yml's <c>health: { exec: … }</c>: an argv or a shell line, with the service's directory and env, one kind at a time.</summary>
public sealed class ExecHealthTests
{
    private static StackDefinition Parse(string yaml) => StackFileLoader.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    [Fact]
    public void Exec_List_IsTheArgv_AndCarriesTheServiceDirectoryAndEnv()
    {
        var health = Parse("""
            services:
              db:
                command: [postgres]
                env: { PGUSER: app }
                health: { exec: [pg_isready, -q], interval: 1s }
            """).Services.Single().Health;

        Assert.Equal(HealthCheckKind.Exec, health.Kind);
        Assert.Equal(["pg_isready", "-q"], health.Command!);
        Assert.Equal("/stacks/demo", health.WorkingDirectory);
        Assert.Equal("app", health.Environment!["PGUSER"]);
        Assert.Equal(TimeSpan.FromSeconds(1), health.Interval);
    }

    [Fact]
    public void Exec_Text_RunsThroughTheShell()
    {
        var health = Parse("services:\n  db:\n    command: [postgres]\n    health: { exec: \"pg_isready -h 127.0.0.1 -p $PORT\" }\n").Services.Single().Health;

        Assert.Equal(["sh", "-c", "pg_isready -h 127.0.0.1 -p $PORT"], health.Command!);
    }

    [Fact]
    public void Exec_WithHttp_OrEmpty_IsALocatedError()
    {
        var both = Assert.Throws<ConfigFileException>(() => Parse("services:\n  db:\n    command: [x]\n    port: auto\n    health: { exec: [true], http: /health }\n"));
        Assert.Equal("shoal.yml:5:13: services.db.health: give one of 'http', 'tcp' or 'exec'", both.Message);

        var empty = Assert.Throws<ConfigFileException>(() => Parse("services:\n  db:\n    command: [x]\n    health: { exec: [] }\n"));
        Assert.Equal("shoal.yml:4:21: services.db.health.exec: expected the command as a list (e.g. [pg_isready, -q]) or a shell line, got a list", empty.Message);
    }
}
