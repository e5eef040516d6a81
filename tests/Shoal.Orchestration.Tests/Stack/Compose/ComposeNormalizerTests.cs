using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack.Compose;

/// <summary>Compose files as the stack loader reads them: each key in Shoal's words, warnings and errors in the right file and line.</summary>
public sealed class ComposeNormalizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-compose-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private StackDefinition Load(string text, params string[] profiles) => StackFileLoader.Load([Write("compose.yml", text)], [], null, profiles);

    private string Refused(string text) => Relative(Assert.Throws<ConfigFileException>(() => Load(text)).Message);

    // The file is named by its full path (the working directory is the whole test run's); messages are compared without it.
    private string Relative(string message) => message.Replace(_directory + "/", string.Empty, StringComparison.Ordinal);

    private string Warnings(StackDefinition stack) => Relative(string.Join("\n", stack.Warnings.Select(w => w.ToString())));

    [Fact]
    public void TypicalFile_BecomesServices_WithCommandEnvPortHealthAndDependencies()
    {
        Environment.SetEnvironmentVariable("SHOAL_COMPOSE_TEST_HOST", "from-host");
        var stack = Load("""
            services:
              web:
                image: python:3.12
                command: python3 -m http.server 8000
                ports:
                  - "8080:8000"
                environment:
                  - MODE=fast
                  - SHOAL_COMPOSE_TEST_HOST
                  - SHOAL_COMPOSE_TEST_UNSET
                depends_on:
                  db:
                    condition: service_healthy
                restart: unless-stopped
              db:
                command: ["bash", "-c", "exec sleep 100"]
                expose: ["5432"]
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -q"]
                  interval: 2s
                  timeout: 1s
                  retries: 7
                  start_period: 30s
                restart: "on-failure:3"
            """);

        var web = stack.FindService("web")!;
        Assert.Equal(["python3", "-m", "http.server", "8000"], web.Command!);
        Assert.Equal(PortSpec.Of(8000), web.Port);
        Assert.Equal("fast", web.Environment["MODE"]);
        Assert.Equal("from-host", web.Environment["SHOAL_COMPOSE_TEST_HOST"]);
        Assert.False(web.Environment.ContainsKey("SHOAL_COMPOSE_TEST_UNSET"));
        Assert.Equal(new DependencyDefinition("db", DependencyCondition.Healthy), web.DependsOn.Single());
        Assert.Equal(RestartMode.Always, web.Restart.Mode);
        var db = stack.FindService("db")!;
        Assert.Equal(HealthCheckKind.Exec, db.Health.Kind);
        Assert.Equal(["sh", "-c", "pg_isready -q"], db.Health.Command!);
        Assert.Equal(TimeSpan.FromSeconds(2), db.Health.Interval);
        Assert.Equal(TimeSpan.FromSeconds(1), db.Health.Timeout);
        Assert.Equal(7, db.Health.UnhealthyThreshold);
        Assert.Equal(RestartMode.OnFailure, db.Restart.Mode);
        Assert.Equal(3, db.Restart.MaxRestarts);
        Assert.Equal(PortSpec.Of(5432), db.Port);
        Assert.Equal(
            """
            compose.yml:3:12: services.web.image: image 'python:3.12' is not run: the service runs its command on this host; x-shoal: { runtime: docker } runs it in the image instead
            compose.yml:6:9: services.web.ports: host port 8080 is not published: Shoal serves the service through the gateway at http://127.0.0.1:8080 on its routes (x-shoal: { routes: [/api/**] })
            """.ReplaceLineEndings("\n"),
            Warnings(stack));
    }

    [Fact]
    public void EntrypointIsPrepended_HealthcheckCmdIsAnArgv_AndNoneOrDisableTurnItOff()
    {
        var stack = Load("""
            services:
              a:
                entrypoint: ["python3", "-u"]
                command: app.py --fast
                healthcheck: { test: ["CMD", "curl", "-f", "http://localhost"] }
              b:
                command: [sleep, "100"]
                healthcheck: { test: ["NONE"] }
              c:
                command: [sleep, "100"]
                healthcheck: { test: "true", disable: true }
              d:
                command: [sleep, "100"]
                healthcheck: { test: "test -f /tmp/ready" }
            """);

        Assert.Equal(["python3", "-u", "app.py", "--fast"], stack.FindService("a")!.Command!);
        Assert.Equal(["curl", "-f", "http://localhost"], stack.FindService("a")!.Health.Command!);
        Assert.Equal(HealthCheckKind.Process, stack.FindService("b")!.Health.Kind);
        Assert.Equal(HealthCheckKind.Process, stack.FindService("c")!.Health.Kind);
        Assert.Equal(["sh", "-c", "test -f /tmp/ready"], stack.FindService("d")!.Health.Command!);
        Assert.Empty(stack.Warnings);
    }

    [Fact]
    public void DeployKeys_GiveReplicasLimitsAndRestart_AndWarnOfTheRest()
    {
        var stack = Load("""
            services:
              web:
                command: [app]
                ports: ["8000"]
                deploy:
                  replicas: 3
                  resources:
                    limits: { cpus: "0.5", memory: 64M }
                    reservations: { memory: 32M }
                  restart_policy: { condition: on-failure, delay: 2s, max_attempts: 4 }
                  update_config: { parallelism: 1 }
                  placement: { constraints: [node.role==manager] }
            """);

        var web = stack.Services.Single();
        Assert.Equal(3, web.Replicas);
        Assert.Equal(PortKind.Auto, web.Port.Kind);
        Assert.Equal(64L << 20, web.Runtime.Limits.MemoryBytes);
        Assert.Equal(0.5, web.Runtime.Limits.CpuQuota);
        Assert.Equal(RestartMode.OnFailure, web.Restart.Mode);
        Assert.Equal(4, web.Restart.MaxRestarts);
        Assert.Equal(TimeSpan.FromSeconds(2), web.Restart.Backoff);
        Assert.Equal(
            """
            compose.yml:4:13: services.web.ports: 3 replicas cannot all listen on port 8000 on one host: each gets its own port in $PORT (port: auto), which the command must listen on
            compose.yml:9:9: services.web.deploy.resources.reservations: not honoured: Shoal enforces limits, not reservations
            compose.yml:11:7: services.web.deploy.update_config: not honoured: Shoal's rolling updates and canaries are set under x-shoal: { deploy: { max_surge, max_unavailable, steps } }
            compose.yml:12:7: services.web.deploy.placement: not honoured: Shoal runs every replica on this host
            """.ReplaceLineEndings("\n"),
            Warnings(stack));
    }

    [Fact]
    public void UnsupportedKeys_AreOneWarningEach_NamingEveryService_AndTopLevelOnesToo()
    {
        var stack = Load("""
            version: "3.8"
            services:
              a: { command: [app], container_name: a1, networks: [back] }
              b: { command: [app], container_name: b1 }
            networks: { back: {} }
            """);

        Assert.Equal(
            """
            compose.yml:1:1: version: ignored: Compose itself no longer reads 'version'
            compose.yml:3:24: services.a.container_name: not honoured (services a, b): Shoal names each replica itself (SERVICE-1, SERVICE-2, …)
            compose.yml:3:44: services.a.networks: not honoured: services share the host's network and reach each other through the gateway
            compose.yml:5:1: networks: not honoured: services share the host's network and reach each other through the gateway
            """.ReplaceLineEndings("\n"),
            Warnings(stack));
    }

    [Fact]
    public void UnknownKey_IsAnError_WithDidYouMean()
    {
        var message = Refused("""
            services:
              web:
                command: [app]
                enviroment: { A: "1" }
            """);

        Assert.Equal("compose.yml:4:5: services.web.enviroment: unknown field 'enviroment' (did you mean 'environment'?); Shoal's own keys (routes, port, …) go under x-shoal", message);
    }

    [Fact]
    public void BuildWithoutCommand_NamesShoalsAlternatives_AndXShoalProvidesThem()
    {
        var message = Refused("services:\n  web:\n    build: .\n");
        Assert.Equal("compose.yml:3:12: services.web.build: Shoal builds no images: give the command the image would run (command: …), a .NET project (x-shoal: { project: src/App/App.csproj }), or an image with x-shoal: { runtime: docker }", message);

        var stack = Load("""
            services:
              web:
                build: .
                x-shoal: { command: [app, --serve], routes: ["/api/**"], port: auto }
            """);
        Assert.Equal(["app", "--serve"], stack.Services.Single().Command!);
        Assert.Equal(["/api/**"], stack.Services.Single().Routes);
        Assert.Equal("compose.yml:3:5: services.web.build: not built: Shoal builds no images, the service runs its command", Warnings(stack));
    }

    [Fact]
    public void ImageAlone_IsAClearError_AndRunsInDockerWhenXShoalSaysSo()
    {
        var message = Refused("services:\n  cache:\n    image: nginx:1.27\n");
        Assert.StartsWith("compose.yml:3:12: services.cache.image: image 'nginx:1.27' has no command: Shoal's docker runtime runs the command you give inside the image", message, StringComparison.Ordinal);

        var stack = Load("services:\n  cache:\n    image: redis:7\n    command: [redis-server]\n    x-shoal: { runtime: docker }\n");
        Assert.Equal("redis:7", stack.Services.Single().Runtime.Image);
    }

    [Fact]
    public void Profiles_LeaveServicesOut_UntilEnabled_AndADependencyOnOneIsNamed()
    {
        const string Text = """
            services:
              web:
                command: [app]
              debug:
                command: [tool]
                profiles: [debug]
            """;
        Assert.Equal(["web"], Load(Text).Services.Select(s => s.Name));
        Assert.Equal(["web", "debug"], Load(Text, "debug").Services.Select(s => s.Name));
        File.WriteAllText(Path.Combine(_directory, ".env"), "COMPOSE_PROFILES=other,debug\n");
        Assert.Equal(["web", "debug"], Load(Text).Services.Select(s => s.Name));
        File.Delete(Path.Combine(_directory, ".env"));

        var message = Refused(Text.Replace("command: [app]", "command: [app]\n    depends_on: [debug]", StringComparison.Ordinal));
        Assert.Equal("compose.yml:4:18: services.web.depends_on: 'debug' runs only with profile 'debug': enable it with --profile debug (or COMPOSE_PROFILES), or drop the dependency", message);
    }

    [Fact]
    public void CompletedSuccessfully_IsConditionCompleted_WithoutAWarning_AndTheJobIsNotRestarted()
    {
        var stack = Load("""
            services:
              migrate: { command: [migrate] }
              web:
                command: [app]
                depends_on:
                  migrate: { condition: service_completed_successfully }
            """);

        Assert.Equal(DependencyCondition.Completed, stack.FindService("web")!.DependsOn.Single().Condition);
        Assert.Equal(RestartMode.Never, stack.FindService("migrate")!.Restart.Mode);
        Assert.Empty(stack.Warnings);
    }
}
