using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// <c>postgres:</c> and <c>redis:</c> services run by the real <c>./shoal</c> from the host's binaries: a database and
/// role per dependant that reaches only its own, data that survives <c>down</c>/<c>up</c>, <c>down --volumes</c>, a
/// missing binary, and a Compose file written the way Compose's documentation writes it.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class BackingServicesTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromMinutes(3);

    // The bank is the sample app on its own database; 'audit' is a second dependant that only records what it was given.
    private const string BankAndAudit = """
        name: backing
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          db:
            postgres:
              databases: per_dependant
              settings: { max_connections: "40" }
          bank:
            command: [dotnet, "%sample%"]
            port: auto
            health: { http: /api/health, interval: 500ms }
            env: { LOG_LEVEL: warning }
            routes: ["/api/**"]
            depends_on: [db]
          audit:
            command: [sh, -c, "printf '%s' \"$$DATABASE_URL\" > audit.url.tmp && mv audit.url.tmp audit.url; exec sleep 1000"]
            depends_on: [db]
        """;

    private const string Cache = """
        name: cache
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          cache:
            redis: { settings: { appendfsync: always } }
        """;

    // A dependant that writes through the REDIS_URL it was given, served behind a limit the gateway keeps in that Redis.
    private const string CacheBehindALimit = """
        name: cachepw
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          cache:
            redis: {}
          app:
            command: [sh, -c, "redis-cli -u \"$$REDIS_URL\" --no-auth-warning SET from-app yes > app.out 2>&1; exec /usr/bin/python3 -m http.server $$PORT --bind 127.0.0.1"]
            port: auto
            routes: [/app.out]
            depends_on: [cache]
            rate_limit: { limit: 2, window: 1m, store: redis, redis: cache, on_store_failure: closed }
        """;

    // As Compose's documentation writes a web app with PostgreSQL and Redis: the images' health checks and variables.
    private const string ComposeDocs = """
        services:
          web:
            command: ["dotnet", "%sample%"]
            environment:
              LOG_LEVEL: warning
            depends_on:
              db:
                condition: service_healthy
              cache:
                condition: service_healthy
            x-shoal:
              port: auto
              health: /api/health
              routes: ["/api/**"]
          db:
            image: postgres
            restart: always
            environment:
              POSTGRES_PASSWORD: example
            healthcheck:
              test: ["CMD-SHELL", "pg_isready -U postgres"]
              interval: 1s
              timeout: 5s
              retries: 5
            volumes:
              - db-data:/var/lib/postgresql/data
          cache:
            image: redis:7-alpine
            healthcheck:
              test: ["CMD", "redis-cli", "ping"]
              interval: 1s
        volumes:
          db-data:
        x-shoal:
          gateway:
            listen: %gateway%
            admin: %admin%
        """;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task PostgresPerDependant_EachReachesOnlyItsOwnDatabase_AndTransfersSurviveDownUp()
    {
        await using var stack = await TestStack.StartAsync(BankAndAudit);
        var volume = Path.Combine(stack.Directory, ".shoal", "volumes", "db");
        var kept = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(volume, "shoal-volume.json"))).RootElement;
        var port = kept.GetProperty("port").GetInt32();
        var bankPassword = kept.GetProperty("roles").GetProperty("bank").GetString()!;
        var urlFile = Path.Combine(stack.Directory, "audit.url");
        await Poll.UntilAsync(() => File.Exists(urlFile), TimeSpan.FromSeconds(10), "audit wrote the DATABASE_URL it was given");
        var auditUrl = await File.ReadAllTextAsync(urlFile);
        var auditPassword = new Uri(auditUrl).UserInfo.Split(':')[1];

        Assert.Equal($"postgres://audit:{auditPassword}@127.0.0.1:{port}/audit", auditUrl);
        Assert.Equal(UserId("postgres"), ProcessUid(stack.RecordedPids()["db-1"]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(volume, "shoal-volume.json")));
        Assert.Equal(0, (await PsqlAsync(port, "audit", auditPassword, "audit", "SELECT 1")).ExitCode);
        var intoBank = await PsqlAsync(port, "audit", auditPassword, "bank", "SELECT 1");
        Assert.Contains("User does not have CONNECT privilege", intoBank.Stderr, StringComparison.Ordinal);
        Assert.Contains("User does not have CONNECT privilege", (await PsqlAsync(port, "bank", bankPassword, "audit", "SELECT 1")).Stderr, StringComparison.Ordinal);
        Assert.Contains("User does not have CONNECT privilege", (await PsqlAsync(port, "bank", bankPassword, "postgres", "SELECT 1")).Stderr, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", (await PsqlAsync(port, "bank", "wrong", "bank", "SELECT 1")).Stderr, StringComparison.Ordinal);

        // 50 at once keep the total; what they leave is in the bank's own database, and still there after down and up.
        await TransferTests.AssertTransfersKeepTotalAsync(stack);
        var before = await AccountsAsync(stack);
        Assert.Contains("accounts", (await PsqlAsync(port, "bank", bankPassword, "bank", @"\dt")).Stdout, StringComparison.Ordinal);
        var down = await stack.ShoalAsync("down");
        Assert.True(down.ExitCode == 0, down.ToString());
        var up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());

        Assert.Equal(before, await AccountsAsync(stack));
        Assert.Equal(port, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(volume, "shoal-volume.json"))).RootElement.GetProperty("port").GetInt32());
        Assert.Equal(0, (await PsqlAsync(port, "audit", auditPassword, "audit", "SELECT 1")).ExitCode);
    }

    [Fact]
    public async Task Redis_AppendonlyData_SurvivesDownUp_AndDownVolumesRemovesIt()
    {
        await using var stack = await TestStack.StartAsync(Cache);
        var volume = Path.Combine(stack.Directory, ".shoal", "volumes", "cache");
        var port = CachePort(volume);

        Assert.Equal("OK", await RedisCliAsync(volume, "SET", "greeting", "kept"));
        Assert.True((await stack.ShoalAsync("down")).ExitCode == 0);
        Assert.True(Directory.Exists(Path.Combine(volume, "appendonlydir")));
        var up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(port, CachePort(volume));
        Assert.Equal("kept", await RedisCliAsync(volume, "GET", "greeting"));

        var wipe = await stack.ShoalAsync("down", "-v");
        Assert.True(wipe.ExitCode == 0, wipe.ToString());
        Assert.Contains("Removed 1 volume(s): cache.", wipe.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(volume));
        Assert.True(File.Exists(stack.FilePath));
        up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal(string.Empty, await RedisCliAsync(volume, "GET", "greeting"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Redis_HasAPassword_ItsDependantAndTheGatewaysLimitUseIt_AClientWithoutIsRefused_ItRunsAsRedis_AndCannotBeScaled()
    {
        await using var stack = await TestStack.StartAsync(CacheBehindALimit);
        var volume = Path.Combine(stack.Directory, ".shoal", "volumes", "cache");
        var (port, password) = await RedisLoginAsync(volume);

        // The dependant wrote through its REDIS_URL; the gateway counts in the same Redis (closed on failure: 503s).
        using (var first = await stack.Client.GetAsync("/app.out"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("OK", (await first.Content.ReadAsStringAsync()).Trim());
        }

        Assert.Equal(HttpStatusCode.OK, (await stack.Client.GetAsync("/app.out")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await stack.Client.GetAsync("/app.out")).StatusCode);
        Assert.Equal("yes", await RedisCliAsync(volume, "GET", "from-app"));
        Assert.NotEqual(string.Empty, await RedisCliAsync(volume, "KEYS", "shoal:rl:*"));

        // Hostile: no password, a wrong one, and the password in no process's argv (which every local user can read).
        Assert.StartsWith("-NOAUTH", await RedisServer.CommandAsync(port, "GET", "from-app"), StringComparison.Ordinal);
        Assert.StartsWith("-WRONGPASS", await RedisServer.CommandAsync(port, "AUTH", "not-" + password), StringComparison.Ordinal);
        var pid = stack.RecordedPids()["cache-1"];
        var cmdline = await File.ReadAllTextAsync($"/proc/{pid}/cmdline");
        Assert.Contains("redis-server", cmdline, StringComparison.Ordinal);
        Assert.DoesNotContain(password, cmdline, StringComparison.Ordinal);

        // The daemon is root here; Redis is not, and owns its volume, which stays inside the private .shoal/.
        Assert.Equal(UserId("redis"), ProcessUid(pid));
        Assert.Equal(UserId("redis"), await FileOwnerAsync(Path.Combine(volume, "appendonlydir")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(stack.Directory, ".shoal")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(volume, "shoal-redis.conf")));

        // A template is one server on one data directory.
        var scale = await stack.ShoalAsync("scale", "cache=2");
        Assert.Equal(1, scale.ExitCode);
        Assert.Contains($"scale cache=2: 400 'cache' is a redis template: one server on one data directory (.shoal/volumes/cache), so it runs 0 or 1 replicas, not 2.", scale.Stderr, StringComparison.Ordinal);
        Assert.Single((await stack.AdminJsonAsync("/v1/stack")).GetProperty("services").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "cache").GetProperty("replicas").EnumerateArray());
    }

    [Fact]
    public async Task MissingPostgresBinaries_IsALocatedErrorNamingTheDebianPackage()
    {
        var stack = TestStack.Create(BankAndAudit);
        await using var _ = stack;
        var nowhere = Path.Combine(stack.Directory, "no-postgresql");

        var up = await stack.ShoalAsync(new Dictionary<string, string> { ["SHOAL_POSTGRESQL_ROOT"] = nowhere }, "up", "-d");

        Assert.Equal(1, up.ExitCode);
        Assert.Contains(
            $"shoal.yml:7:5: services.db.postgres: PostgreSQL's server binaries were not found (no {nowhere}/VERSION/bin with postgres, initdb, pg_isready, psql): install Debian's package postgresql (apt-get install -y postgresql), or set SHOAL_POSTGRESQL_ROOT to where they are",
            up.Stderr,
            StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(stack.Directory, ".shoal", "volumes", "db")));
    }

    [Fact]
    public async Task ComposeDocsFile_WebPostgresRedis_ComesUpOnTheTemplates_WithOneWarningPerImage()
    {
        var stack = TestStack.Create(ComposeDocs);
        await using var _ = stack;
        var file = Path.Combine(stack.Directory, "compose.yml");
        File.Copy(stack.FilePath, file);

        var up = await ShoalCli.RunAsync(stack.Directory, s_wait, "up", "-d", "-f", file);

        Assert.True(up.ExitCode == 0, up.ToString());
        var postgres = Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).Max(v => decimal.Parse(v!, CultureInfo.InvariantCulture));
        Assert.Equal(
            [
                $"warning: compose.yml:16:12: services.db.image: image 'postgres' is not run: Shoal's postgres template runs this host's PostgreSQL {postgres} instead (the tag is not used), data in .shoal/volumes/db-data, POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB as the image reads them; its own readiness check, free port and connection variables (see docs/compose.md) replace healthcheck and ports",
                "warning: compose.yml:28:12: services.cache.image: image 'redis:7-alpine' is not run: Shoal's redis template runs this host's redis-server instead (the tag is not used), data in .shoal/volumes/cache, appendonly; its own readiness check, free port and connection variables (see docs/compose.md) replace healthcheck and ports",
            ],
            up.Stderr.Split('\n').Where(l => l.StartsWith("warning: ", StringComparison.Ordinal)).Select(l => l.Replace(stack.Directory + "/", string.Empty, StringComparison.Ordinal).TrimEnd()));
        using var transfer = await stack.Client.PostAsJsonAsync("/api/transfer", new { from = "alice", to = "bob", amount = 7 });
        Assert.Equal(HttpStatusCode.OK, transfer.StatusCode);

        // The bank's table is in PostgreSQL, reached with the password the Compose file gave the image.
        var port = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "volumes", "db-data", "shoal-volume.json"))).RootElement.GetProperty("port").GetInt32();
        var balance = await PsqlAsync(port, "postgres", "example", "postgres", "SELECT balance FROM accounts WHERE id = 'bob'");
        Assert.True(balance.ExitCode == 0, balance.ToString());
        Assert.Equal("1007", balance.Stdout.Trim());
        Assert.Equal("PONG", await RedisCliAsync(Path.Combine(stack.Directory, ".shoal", "volumes", "cache"), "PING"));
        var down = await ShoalCli.RunAsync(stack.Directory, s_wait, "down", "-f", file);
        Assert.True(down.ExitCode == 0, down.ToString());
    }

    private static int CachePort(string volume) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(volume, "shoal-volume.json"))).RootElement.GetProperty("port").GetInt32();

    private static async Task<string> AccountsAsync(TestStack stack) => await stack.Client.GetStringAsync("/api/accounts");

    private static Task<ProcessRunner.Result> PsqlAsync(int port, string user, string password, string database, string sql) =>
        ProcessRunner.RunAsync(
            "psql",
            ["-X", "-q", "-t", "-A", "-w", "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database, "-c", sql],
            timeout: TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PGPASSWORD"] = password, ["PGCONNECT_TIMEOUT"] = "5" });

    // redis-cli with the password the volume keeps (through the environment, not argv); its reply without the newline.
    private static async Task<string> RedisCliAsync(string volume, params string[] command)
    {
        var (port, password) = await RedisLoginAsync(volume);
        var result = await ProcessRunner.RunAsync(
            "redis-cli",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. command],
            timeout: TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["REDISCLI_AUTH"] = password });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    // The port and password the redis template keeps in its volume.
    private static async Task<(int Port, string Password)> RedisLoginAsync(string volume)
    {
        var kept = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(volume, "shoal-volume.json"))).RootElement;
        return (kept.GetProperty("port").GetInt32(), kept.GetProperty("password").GetString()!);
    }

    private static uint ProcessUid(int pid) =>
        uint.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static uint UserId(string name) =>
        uint.Parse(File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Single(f => f[0] == name)[2], CultureInfo.InvariantCulture);

    private static async Task<uint> FileOwnerAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%u", path], timeout: TimeSpan.FromSeconds(10));
        return uint.Parse(stat.Stdout.Trim(), CultureInfo.InvariantCulture);
    }
}
