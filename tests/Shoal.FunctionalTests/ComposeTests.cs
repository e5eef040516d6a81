using System.Globalization;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// Compose files as Compose's documentation writes them, run by the real <c>./shoal up -f</c> without Docker images:
/// every warning printed is asserted, and each stack answers through the gateway.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class ComposeTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromMinutes(3);

    // The web app only starts once the database-like service is healthy: it exits (and stays down) otherwise.
    private const string WebAndDatabase = """
        name: shop
        x-shoal:
          gateway:
            listen: %gateway%
            admin: %admin%
        services:
          web:
            image: example/shop-web:1.0
            command: ["bash", "-c", "test -f db-ready || exit 3; exec dotnet %sample%"]
            environment:
              LOG_LEVEL: warning
              SHOP_DB_HOST: db
            ports:
              - "8000:%port%"
            depends_on:
              db:
                condition: service_healthy
            restart: "no"
            x-shoal:
              routes: ["/api/**"]
          db:
            image: postgres:16
            command: ["bash", "-c", "sleep 2 && touch db-ready && exec sleep 1000"]
            healthcheck:
              test: ["CMD-SHELL", "test -f db-ready"]
              interval: 300ms
              timeout: 2s
              retries: 5
              start_period: 10s
            volumes:
              - db-data:/var/lib/postgresql/data
        volumes:
          db-data:
        """;

    private const string EnvServer = """
        import http.server, json, os
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({k: v for k, v in os.environ.items()}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private const string WithEnvFile = """
        x-shoal:
          gateway: { listen: %gateway%, admin: %admin% }
        services:
          app:
            command: ["/usr/bin/python3", "env_server.py"]
            env_file: app.env
            environment:
              GREETING: ${COMPOSE_TEST_GREETING:-hello}
              TIER: base
            expose: ["%port%"]
            x-shoal:
              routes: ["/env/**"]
        """;

    private const string Override = """
        services:
          app:
            environment:
              TIER: override
            labels:
              com.example.team: payments
        """;

    private const string ProfilesAndReplicas = """
        x-shoal:
          gateway: { listen: %gateway%, admin: %admin% }
        services:
          api:
            command: ["dotnet", "%sample%"]
            environment: [LOG_LEVEL=warning]
            ports: ["8080"]
            healthcheck:
              test: ["CMD-SHELL", "curl -fsS http://127.0.0.1:$$PORT/api/health"]
              interval: 500ms
            deploy:
              replicas: 3
            x-shoal:
              routes: ["/api/**"]
          debug:
            command: ["bash", "-c", "exec sleep 1000"]
            profiles: [debug]
        """;

    // A one-shot migration before the app, as Compose's documentation writes it; the app exits (and stays down) if it
    // starts before the migration has finished.
    private const string MigrateThenApp = """
        x-shoal:
          gateway: { listen: %gateway%, admin: %admin% }
        services:
          migrate:
            command: ["bash", "-c", "sleep 1 && echo v42 > migrated && exit %migrate_exit%"]
          app:
            command: ["bash", "-c", "test -f migrated || exit 3; exec /usr/bin/python3 env_server.py"]
            restart: "no"
            expose: ["%port%"]
            depends_on:
              migrate:
                condition: service_completed_successfully
            x-shoal:
              routes: ["/env/**"]
        """;

    private static (TestStack Stack, string File) Create(string template, string name = "compose.yml")
    {
        var stack = TestStack.Create(template.Replace("%port%", FreePort.Next().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

        // TestStack wrote shoal.yml (which 'down' is pointed at; it only needs the state directory): the stack is the Compose file.
        var file = Path.Combine(stack.Directory, name);
        File.Copy(stack.FilePath, file);
        return (stack, file);
    }

    private static List<string> Warnings(ProcessRunner.Result result, TestStack stack) =>
        result.Stderr.Split('\n').Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).Select(l => l.Replace(stack.Directory + "/", string.Empty, StringComparison.Ordinal).TrimEnd()).ToList();

    [Fact]
    public async Task WebAndDatabase_StartInHealthOrder_AndEveryUnhonouredKeyIsOneWarning()
    {
        var (stack, file) = Create(WebAndDatabase);
        await using var _ = stack;

        var up = await ShoalCli.RunAsync(stack.Directory, s_wait, "up", "-d", "-f", file);

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(
            [
                "warning: compose.yml:8:12: services.web.image: image 'example/shop-web:1.0' is not run: the service runs its command on this host; x-shoal: { runtime: docker } runs it in the image instead",
                $"warning: compose.yml:14:9: services.web.ports: host port 8000 is not published: Shoal serves the service through the gateway at {stack.Gateway.ToString().TrimEnd('/')} on its routes (x-shoal: {{ routes: [/api/**] }})",
                "warning: compose.yml:22:12: services.db.image: image 'postgres:16' is not run: the service runs its command on this host; x-shoal: { runtime: docker } runs it in the image instead",
                "warning: compose.yml:30:5: services.db.volumes: not mounted: runtime process runs the command on the host's files, where a bind mount's source already is at its own path; named volumes are not created",
                "warning: compose.yml:32:1: volumes: named volumes are not created (db-data): services run on the host's files, so give them a directory of their own (x-shoal: { working_dir: … }); only a postgres or redis image's data volume is made, under .shoal/volumes/",
            ],
            Warnings(up, stack));
        using var health = await stack.Client.GetAsync("/api/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task EnvFileDefaultsAndOverride_OverrideWins_EnvironmentMerged()
    {
        var (stack, file) = Create(WithEnvFile);
        await using var _ = stack;
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "env_server.py"), EnvServer);
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "app.env"), "# settings\nFROM_ENV_FILE=yes\nTIER=env-file\n");
        var overrideFile = Path.Combine(stack.Directory, "compose.override.yml");
        await File.WriteAllTextAsync(overrideFile, Override);

        var up = await ShoalCli.RunAsync(stack.Directory, s_wait, "up", "-d", "-f", file, "-f", overrideFile);

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(
            ["warning: compose.override.yml:5:5: services.app.labels: not honoured: Shoal has no container labels; registry metadata goes under x-shoal: { metadata: … }"],
            Warnings(up, stack));
        var env = JsonSerializer.Deserialize<Dictionary<string, string>>(await stack.Client.GetStringAsync("/env/"))!;
        Assert.Equal("hello", env["GREETING"]);
        Assert.Equal("override", env["TIER"]);
        Assert.Equal("yes", env["FROM_ENV_FILE"]);
    }

    [Fact]
    public async Task Profiles_LeaveTheDebugServiceOut_AndDeployReplicasRunsThree()
    {
        var (stack, file) = Create(ProfilesAndReplicas);
        await using var _ = stack;

        var up = await ShoalCli.RunAsync(stack.Directory, s_wait, "up", "-d", "-f", file);

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(
            ["warning: compose.yml:7:13: services.api.ports: 3 replicas cannot all listen on port 8080 on one host: each gets its own port in $PORT (port: auto), which the command must listen on"],
            Warnings(up, stack));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await Poll.UntilAsync(
            async () =>
            {
                seen.Add(await stack.ServedByAsync());
                return seen.Count == 3;
            },
            s_wait,
            "three replicas to answer through the gateway");
        Assert.Equal(["api-1", "api-2", "api-3"], seen.Order(StringComparer.Ordinal));

        var withDebug = await ShoalCli.RunAsync(stack.Directory, s_wait, "validate", "-f", file, "--profile", "debug");
        Assert.True(withDebug.ExitCode == 0, withDebug.ToString());
        Assert.Contains("2 service(s), 4 replica(s)", withDebug.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompletedSuccessfully_AppStartsAfterTheMigrationExitedZero_WhichStaysExitedAsCompleted()
    {
        var (stack, file, up) = await UpMigrateThenAppAsync(migrateExit: 0);
        await using var _ = stack;

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Empty(Warnings(up, stack));
        using var env = await stack.Client.GetAsync("/env/");
        Assert.Equal(System.Net.HttpStatusCode.OK, env.StatusCode);
        var ps = await ShoalCli.RunAsync(stack.Directory, s_wait, "ps", "--json", "-f", file);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        using var json = JsonDocument.Parse(ps.Stdout);
        var migrate = json.RootElement.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "migrate");
        var replica = migrate.GetProperty("replicas").EnumerateArray().Single();
        Assert.Equal("exited", replica.GetProperty("state").GetString());
        Assert.Equal(0, replica.GetProperty("last_exit_code").GetInt32());
        Assert.Equal(0, replica.GetProperty("restarts").GetInt32());
        Assert.Equal("completed (exited with code 0)", replica.GetProperty("message").GetString());
        Assert.True(migrate.GetProperty("is_completed").GetBoolean());
    }

    [Fact]
    public async Task CompletedSuccessfully_MigrationExitsOne_UpFailsNamingIt_AndTheAppNeverStarts()
    {
        var (stack, _, up) = await UpMigrateThenAppAsync(migrateExit: 1);
        await using var _ = stack;

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("error: service 'migrate' failed: migrate-1: exited with code 1", up.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(stack.Directory, ".shoal", "logs", "app-1.log")), up.ToString());
    }

    private static async Task<(TestStack Stack, string File, ProcessRunner.Result Up)> UpMigrateThenAppAsync(int migrateExit)
    {
        var (stack, file) = Create(MigrateThenApp.Replace("%migrate_exit%", migrateExit.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(stack.Directory, "env_server.py"), EnvServer);
        return (stack, file, await ShoalCli.RunAsync(stack.Directory, s_wait, "up", "-d", "-f", file));
    }

    [Fact]
    public async Task HostileFiles_IncludeCycleDeepChainAndEndlessEnvFile_AreLocatedErrors()
    {
        var directory = Directory.CreateTempSubdirectory("shoal-compose-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "compose.yml"), "include: [loop.yml, chain0.yml]\nservices:\n  web:\n    command: [app]\n    env_file: /dev/zero\n");
            await File.WriteAllTextAsync(Path.Combine(directory, "loop.yml"), "include: [compose.yml]\n");
            for (var i = 0; i < 200; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, $"chain{i}.yml"), $"include: [chain{i + 1}.yml]\n");
            }

            var result = await ShoalCli.RunAsync(directory, s_wait, "validate", "-f", "compose.yml");

            Assert.Equal(1, result.ExitCode);
            var errors = result.Stderr.Replace(directory + "/", string.Empty, StringComparison.Ordinal);
            Assert.Contains("compose.yml:5:15: services.web.env_file: '/dev/zero' is larger than 1048576 bytes: not an env file", errors, StringComparison.Ordinal);
            Assert.Contains("loop.yml:1:11: include[0]: include cycle: compose.yml -> loop.yml -> compose.yml", errors, StringComparison.Ordinal);
            Assert.Contains("chain14.yml:1:11: include[0]: includes nest more than 16 deep: 'chain15.yml' is not read", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
