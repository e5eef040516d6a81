using System.Text.Json;

namespace Shoal.Testing;

/// <summary>A stack file in a temp directory, on free ports, run with the real <c>./shoal up -d</c> and stopped with <c>./shoal down</c>.</summary>
public sealed class TestStack : IAsyncDisposable
{
    private TestStack(string directory, string yaml, int gatewayPort, int adminPort)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, "shoal.yml");
        GatewayPort = gatewayPort;
        AdminPort = adminPort;
        File.WriteAllText(FilePath, yaml);
        Gateway = new Uri($"http://127.0.0.1:{gatewayPort}");
        Admin = new Uri($"http://127.0.0.1:{adminPort}");
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
        var configured = System.Text.RegularExpressions.Regex.Match(yaml, @"^\s*admin_token:\s*(\S+)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        _configuredToken = configured.Success ? configured.Groups[1].Value : null;
        AdminClient = new HttpClient(new BearerHandler(() => Token) { InnerHandler = new SocketsHttpHandler { UseProxy = false } }) { BaseAddress = Admin, Timeout = TimeSpan.FromSeconds(30) };
    }

    private readonly string? _configuredToken;

    public string Directory { get; }

    public string FilePath { get; }

    public int GatewayPort { get; }

    public int AdminPort { get; }

    public Uri Gateway { get; }

    public Uri Admin { get; }

    /// <summary>A client whose base address is the gateway.</summary>
    public HttpClient Client { get; }

    /// <summary>
    /// The admin token: the template's <c>admin_token</c>, else the one <c>up</c> wrote to <c>.shoal/admin.token</c>
    /// (read again each time: every <c>up</c> makes a new one); null before the first <c>up</c>.
    /// </summary>
    public string? Token
    {
        get
        {
            if (_configuredToken is not null)
            {
                return _configuredToken;
            }

            try
            {
                return File.ReadAllText(Path.Combine(Directory, ".shoal", "admin.token")).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    /// <summary>The admin API's Unix socket.</summary>
    public string AdminSocket => Path.Combine(Directory, ".shoal", "admin.sock");

    /// <summary>A client whose base address is the admin API, sending the admin token (unless a request carries its own credentials).</summary>
    public HttpClient AdminClient { get; }

    public ProcessRunner.Result? UpResult { get; private set; }

    /// <summary>
    /// Writes <paramref name="template"/> with <c>%gateway%</c>, <c>%admin%</c> (listen URLs) and <c>%sample%</c>
    /// (the sample app's assembly) filled in, without starting it.
    /// </summary>
    public static TestStack Create(string template)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("shoal-test-").FullName;
        var gatewayPort = FreePort.Next();
        var adminPort = FreePort.Next();
        var yaml = template
            .Replace("%gateway%", $"http://127.0.0.1:{gatewayPort}", StringComparison.Ordinal)
            .Replace("%admin%", $"http://127.0.0.1:{adminPort}", StringComparison.Ordinal)
            .Replace("%sample%", RepoPaths.SampleApp, StringComparison.Ordinal)
            .Replace("%root%", RepoPaths.Root, StringComparison.Ordinal);
        return new TestStack(directory, yaml, gatewayPort, adminPort);
    }

    /// <summary>Creates the stack and runs <c>./shoal up -d</c>; fails the test with shoal's output if it does not come up.</summary>
    public static async Task<TestStack> StartAsync(string template)
    {
        var stack = Create(template);
        var up = await stack.ShoalAsync("up", "-d");
        stack.UpResult = up;
        if (up.ExitCode != 0)
        {
            var log = Path.Combine(stack.Directory, ".shoal", "shoal.log");
            await stack.DisposeAsync();
            throw new InvalidOperationException($"shoal up -d failed: {up}\n{(File.Exists(log) ? File.ReadAllText(log) : string.Empty)}");
        }

        return stack;
    }

    /// <summary>Runs <c>./shoal ARGS -f FILE</c>.</summary>
    public Task<ProcessRunner.Result> ShoalAsync(params string[] arguments) =>
        ShoalCli.RunAsync(Directory, [.. arguments, "--file", FilePath]);

    /// <summary>Runs <c>./shoal ARGS -f FILE</c> with <paramref name="environment"/> added to the test's.</summary>
    public Task<ProcessRunner.Result> ShoalAsync(IDictionary<string, string> environment, params string[] arguments) =>
        ShoalCli.RunAsync(Directory, TimeSpan.FromMinutes(3), environment, [.. arguments, "--file", FilePath]);

    /// <summary>The pids recorded in <c>.shoal/state.json</c>: the daemon first, then the instances.</summary>
    public IReadOnlyDictionary<string, int> RecordedPids()
    {
        var path = Path.Combine(Directory, ".shoal", "state.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var pids = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["shoal"] = doc.RootElement.GetProperty("daemon").GetProperty("pid").GetInt32(),
        };
        foreach (var instance in doc.RootElement.GetProperty("instances").EnumerateArray())
        {
            pids[instance.GetProperty("id").GetString()!] = instance.GetProperty("pid").GetInt32();
        }

        return pids;
    }

    private IReadOnlyDictionary<string, int> TryRecordedPids()
    {
        try
        {
            return RecordedPids();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new Dictionary<string, int>();
        }
    }

    /// <summary>GET on the admin API, parsed.</summary>
    public async Task<JsonElement> AdminJsonAsync(string path)
    {
        var json = await AdminClient.GetStringAsync(path);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Adds the stack's bearer token to requests without an <c>Authorization</c> header.</summary>
    private sealed class BearerHandler(Func<string?> token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null && token() is { Length: > 0 } value)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The instance that served GET <paramref name="path"/>, by its <c>x-shoal-instance</c> header.</summary>
    public async Task<string> ServedByAsync(string path = "/api/whoami")
    {
        using var response = await Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("x-shoal-instance").Single();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        AdminClient.Dispose();
        try
        {
            // A lock left behind means a daemon may run although the state file is gone or corrupt: down finds it.
            if (File.Exists(Path.Combine(Directory, ".shoal", "state.json")) || File.Exists(Path.Combine(Directory, ".shoal", "daemon.lock")))
            {
                var pids = TryRecordedPids();
                var down = await ShoalAsync("down");
                if (down.ExitCode != 0)
                {
                    foreach (var pid in pids.Values)
                    {
                        ProcessUtil.Kill(pid);
                    }
                }
            }
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
