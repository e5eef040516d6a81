using System.Globalization;

namespace Shoal.Testing;

/// <summary>
/// A throwaway PostgreSQL server on a free loopback port, from the machine's server binaries (Debian's <c>postgresql</c> package).
/// <c>SHOAL_TEST_DATABASE_URL</c> points the tests at an existing server instead.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _dataDirectory;
    private readonly string? _binDirectory;

    private PostgresServer(string url, string? dataDirectory, string? binDirectory)
    {
        Url = url;
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
    }

    /// <summary>A <c>postgres://</c> URL for the <c>postgres</c> database.</summary>
    public string Url { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("SHOAL_TEST_DATABASE_URL") is { Length: > 0 } url)
        {
            return new PostgresServer(url, null, null);
        }

        var bin = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL server binaries were not found under /usr/lib/postgresql: install them (apt-get install -y postgresql) or set SHOAL_TEST_DATABASE_URL.");
        }

        var port = FreePort.Next();
        var data = System.IO.Directory.CreateTempSubdirectory("shoal-pg-").FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            Check(await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", data]), "chown");
        }

        Check(await RunAsync(asRoot, Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]), "initdb");
        var options = $"-p {port.ToString(CultureInfo.InvariantCulture)} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200";
        Check(await RunAsync(asRoot, Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60", "start"]), "pg_ctl start");
        return new PostgresServer($"postgres://postgres@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/postgres", data, bin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }

        await RunAsync(Environment.UserName == "root", Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        try
        {
            System.IO.Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Task<ProcessRunner.Result> RunAsync(bool asRoot, string program, string[] arguments) =>
        asRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], "/tmp", TimeSpan.FromMinutes(2))
            : ProcessRunner.RunAsync(program, arguments, "/tmp", TimeSpan.FromMinutes(2));

    private static void Check(ProcessRunner.Result result, string step)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{step} failed: {result}");
        }
    }
}
