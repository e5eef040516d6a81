using Shoal.Configuration;
using Shoal.Gateway.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class StackFileLoaderTests
{
    private static StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml");

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Parse_FullService_ReadsEveryField()
    {
        var stack = Parse("""
            name: demo
            gateway:
              listen: http://127.0.0.1:18080
              admin: http://127.0.0.1:19901
            services:
              db:
                command: postgres -D "/var/lib/my data"
                port: 5432
              app:
                command: [dotnet, app.dll]
                replicas: 3
                port: auto
                version: "2.1"
                env: { MODE: fast, RETRIES: 3 }
                health: { http: /healthz, interval: 5s, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 4 }
                restart: { policy: on-failure, backoff: 1s, max_backoff: 10s, max_restarts: 7, window: 2m }
                depends_on:
                  db: { condition: healthy }
                routes: ["/api/**", /health]
                working_dir: sub
                stop_grace_period: 3s
            """);

        Assert.Equal("demo", stack.Name);
        Assert.Equal(new Uri("http://127.0.0.1:18080"), stack.Gateway.Listen);
        var db = stack.FindService("db")!;
        Assert.Equal(["postgres", "-D", "/var/lib/my data"], db.Command);
        Assert.Equal(PortSpec.Of(5432), db.Port);
        Assert.Equal(HealthCheckKind.Tcp, db.Health.Kind);
        var app = stack.FindService("app")!;
        Assert.Equal(3, app.Replicas);
        Assert.Equal(PortSpec.Auto, app.Port);
        Assert.Equal("2.1", app.Version);
        Assert.Equal("3", app.Environment["RETRIES"]);
        Assert.Equal(new HealthCheckDefinition { Kind = HealthCheckKind.Http, Path = "/healthz", Interval = TimeSpan.FromSeconds(5), StartInterval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromMilliseconds(500), HealthyThreshold = 2, UnhealthyThreshold = 4 }, app.Health);
        Assert.Equal(new RestartPolicyDefinition { Mode = RestartMode.OnFailure, Backoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(10), MaxRestarts = 7, Window = TimeSpan.FromMinutes(2) }, app.Restart);
        Assert.Equal([new DependencyDefinition("db", DependencyCondition.Healthy)], app.DependsOn);
        Assert.Equal(["/api/**", "/health"], app.Routes);
        Assert.Equal("/stacks/demo/sub", app.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(3), app.StopGracePeriod);
    }

    [Fact]
    public void Parse_Defaults_AreSensible()
    {
        var stack = Parse("services:\n  app:\n    command: [x]\n");

        Assert.Equal("demo", stack.Name);
        Assert.Equal(GatewayDefinition.DefaultListen, stack.Gateway.Listen);
        Assert.Equal(GatewayDefinition.DefaultAdmin, stack.Gateway.Admin);
        var app = stack.Services.Single();
        Assert.Equal(1, app.Replicas);
        Assert.Equal(PortSpec.None, app.Port);
        Assert.Equal(HealthCheckKind.Process, app.Health.Kind);
        Assert.Equal(RestartMode.Always, app.Restart.Mode);
    }

    [Fact]
    public void Parse_UnknownKey_SuggestsTheNearestField()
    {
        Assert.Equal("shoal.yml:4:5: services.app.replica: unknown field 'replica' (did you mean 'replicas'?)",
            ErrorOf("services:\n  app:\n    command: [x]\n    replica: 2\n"));
    }

    [Fact]
    public void Parse_UnknownTopLevelKey_ListsTheAllowedOnes()
    {
        Assert.Equal("shoal.yml:1:1: servics: unknown field 'servics' (did you mean 'services'?)",
            ErrorOf("servics:\n  app:\n    command: [x]\nservices:\n  app:\n    command: [x]\n"));
    }

    [Theory]
    [InlineData("replicas: two", "shoal.yml:4:15: services.app.replicas: expected a whole number from 0 to 64, got 'two'")]
    [InlineData("replicas: 100", "shoal.yml:4:15: services.app.replicas: 100 is out of range; allowed 0 to 64")]
    [InlineData("port: [1]", "shoal.yml:4:11: services.app.port: expected a whole number from 1 to 65535, got a list")]
    [InlineData("port: 70000", "shoal.yml:4:11: services.app.port: 70000 is out of range; allowed 1 to 65535")]
    [InlineData("env: [A=1]", "shoal.yml:4:10: services.app.env: expected a mapping of NAME: value, got a list")]
    [InlineData("restart: sometimes", "shoal.yml:4:14: services.app.restart: expected one of always, on-failure, never, got 'sometimes'")]
    [InlineData("stop_grace_period: soon", "shoal.yml:4:24: services.app.stop_grace_period: expected a duration such as 500ms, 5s or 1m, got 'soon'")]
    [InlineData("routes: /api", "shoal.yml:4:13: services.app.routes: expected a list, got '/api'")]
    public void Parse_WrongType_NamesLineFieldAndExpectation(string line, string expected)
    {
        Assert.Equal(expected, ErrorOf($"services:\n  app:\n    command: [x]\n    {line}\n"));
    }

    [Fact]
    public void Parse_MissingCommand_SaysWhatToGive()
    {
        Assert.Equal("shoal.yml:3:5: services.app: missing command: give 'command' (the argv to run, e.g. [dotnet, app.dll]) or 'project' (a .csproj to build and run)",
            ErrorOf("services:\n  app:\n    replicas: 2\n"));
    }

    [Fact]
    public void Parse_CommandAndProject_IsRefused()
    {
        Assert.Contains("shoal.yml:4:5: services.app.project: give either 'command' or 'project', not both",
            ErrorOf("services:\n  app:\n    command: [x]\n    project: app.csproj\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingProjectFile_NamesThePath()
    {
        Assert.Equal("shoal.yml:3:14: services.app.project: no .csproj at 'nope/app.csproj' (resolved to /stacks/demo/nope/app.csproj)",
            ErrorOf("services:\n  app:\n    project: nope/app.csproj\n"));
    }

    [Fact]
    public void Parse_CyclicDependsOn_NamesTheCycle()
    {
        Assert.Equal("shoal.yml:4:17: services.a.depends_on: cyclic dependency: a -> b -> c -> a",
            ErrorOf("services:\n  a:\n    command: [x]\n    depends_on: [b]\n  b:\n    command: [x]\n    depends_on: [c]\n  c:\n    command: [x]\n    depends_on: [a]\n"));
    }

    [Fact]
    public void Parse_SelfDependency_IsACycle()
    {
        Assert.Equal("shoal.yml:4:17: services.a.depends_on: cyclic dependency: a -> a",
            ErrorOf("services:\n  a:\n    command: [x]\n    depends_on: [a]\n"));
    }

    [Fact]
    public void Parse_DependencyOnUnknownService_IsRefused()
    {
        Assert.Equal("shoal.yml:4:17: services.a.depends_on: 'db' is not a service in this stack",
            ErrorOf("services:\n  a:\n    command: [x]\n    depends_on: [db]\n"));
    }

    [Fact]
    public void Parse_ConditionCompleted_TheJobGetsRestartNever_UnlessItSaysOnFailure()
    {
        var stack = Parse("services:\n  app:\n    command: [x]\n    depends_on: { migrate: { condition: completed }, seed: { condition: completed } }\n  migrate:\n    command: [x]\n  seed:\n    command: [x]\n    restart: on-failure\n");

        Assert.Equal(new DependencyDefinition("migrate", DependencyCondition.Completed), stack.FindService("app")!.DependsOn[0]);
        Assert.Equal(RestartMode.Never, stack.FindService("migrate")!.Restart.Mode);
        Assert.Equal(RestartMode.OnFailure, stack.FindService("seed")!.Restart.Mode);
        Assert.Equal(RestartMode.Always, stack.FindService("app")!.Restart.Mode);
    }

    [Fact]
    public void Parse_ConditionCompletedOnARestartAlwaysJob_IsRefused()
    {
        Assert.Equal("shoal.yml:7:14: services.migrate.restart: 'migrate' is awaited to complete by 'app', but restart 'always' would run it again after it exited 0: use 'never' or 'on-failure'",
            ErrorOf("services:\n  app:\n    command: [x]\n    depends_on: { migrate: { condition: completed } }\n  migrate:\n    command: [x]\n    restart: always\n"));
    }

    [Fact]
    public void Parse_ConditionCompletedOnARedisServer_IsRefused()
    {
        Assert.Equal("shoal.yml:4:17: services.app.depends_on.cache: 'cache' is a redis server, which runs until it is stopped and never completes: wait for it with condition: healthy",
            ErrorOf("services:\n  app:\n    command: [x]\n    depends_on: { cache: { condition: completed } }\n  cache:\n    redis: {}\n"));
    }

    [Fact]
    public void Parse_UnknownCondition_NamesTheThree()
    {
        Assert.Contains("expected one of started, healthy, completed, got",
            ErrorOf("services:\n  app:\n    command: [x]\n    depends_on: { db: { condition: done } }\n  db:\n    command: [x]\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoServicesOnOnePort_IsAPortClash()
    {
        Assert.Equal("shoal.yml:7:11: services.b.port: port clash: port 7000 is already used by service 'a'",
            ErrorOf("services:\n  a:\n    command: [x]\n    port: 7000\n  b:\n    command: [x]\n    port: 7000\n"));
    }

    [Fact]
    public void Parse_ServiceOnTheGatewayPort_IsAPortClash()
    {
        Assert.Equal("shoal.yml:4:11: services.a.port: port clash: port 8080 is already used by the gateway listener (gateway.listen)",
            ErrorOf("services:\n  a:\n    command: [x]\n    port: 8080\n"));
    }

    [Fact]
    public void Parse_FixedPortWithReplicas_IsAPortClash()
    {
        Assert.Equal("shoal.yml:5:11: services.a.port: port clash: 2 replicas cannot all listen on port 7000; use 'port: auto'",
            ErrorOf("services:\n  a:\n    command: [x]\n    replicas: 2\n    port: 7000\n"));
    }

    [Fact]
    public void Parse_AdminOnTheGatewayPort_IsAPortClash()
    {
        Assert.Equal("shoal.yml:3:10: gateway.admin: port clash: the admin listener and the gateway listener both use port 9000",
            ErrorOf("gateway:\n  listen: http://127.0.0.1:9000\n  admin: http://127.0.0.1:9000\nservices:\n  a:\n    command: [x]\n"));
    }

    [Fact]
    public void Parse_UnknownGatewayKey_IsReportedOnce()
    {
        // The port cross-check used to read the gateway section a second time, reporting its unknown keys twice.
        Assert.Equal("shoal.yml:2:3: gateway.lisen: unknown field 'lisen' (did you mean 'listen'?)",
            ErrorOf("gateway:\n  lisen: http://127.0.0.1:9000\nservices:\n  a:\n    command: [x]\n"));
    }

    [Fact]
    public void Parse_UnknownKeys_ListEveryReadersKeys()
    {
        Assert.Equal("shoal.yml:1:1: servics: unknown field 'servics' (did you mean 'services'?)", ErrorOf("servics: {}\nservices:\n  a:\n    command: [x]\n"));
        Assert.Equal("shoal.yml:1:1: other: unknown field 'other'; allowed here: name, gateway, services, registry, functions, telemetry",
            ErrorOf("other: {}\nservices:\n  a:\n    command: [x]\n"));
    }

    [Fact]
    public void Parse_RoutesWithoutPort_AreRefused()
    {
        Assert.Equal("shoal.yml:4:5: services.a.routes: a service with routes needs a 'port' (auto or a number) for the gateway to reach it",
            ErrorOf("services:\n  a:\n    command: [x]\n    routes: [/api/**]\n"));
    }

    [Fact]
    public void Parse_InvalidYaml_NamesTheLine()
    {
        var error = ErrorOf("services:\n  a:\n    command: [x]\n    port: a: b\n");

        Assert.StartsWith("shoal.yml:4:", error, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsAllInFileOrder()
    {
        var ex = Assert.Throws<ConfigFileException>(() => Parse("services:\n  a:\n    replicas: -1\n  b:\n    command: [x]\n    colour: red\n"));

        Assert.Equal(["services.a", "services.a.replicas", "services.b.colour"], ex.Errors.Select(e => e.Field));
        Assert.StartsWith("3 problems:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoServices_IsRefused()
    {
        Assert.Equal("shoal.yml:1:1: services: missing: a stack needs a 'services:' mapping with at least one service", ErrorOf("name: x\n"));
    }
}
