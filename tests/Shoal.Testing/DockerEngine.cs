using System.Diagnostics;
using System.Formats.Tar;
using System.Net.Sockets;

namespace Shoal.Testing;

/// <summary>
/// A private Docker engine for tests: <c>dockerd</c> on its own socket and data root under a temporary directory, with
/// no iptables, bridge or forwarding changes to the host, and a busybox image imported from the host's busybox-static.
/// Stopped and removed on dispose. Needs root and Debian's <c>docker.io</c> (and <c>busybox-static</c>).
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    /// <summary>The image <see cref="StartAsync"/> imports: busybox with every applet linked in /bin, PATH=/bin.</summary>
    public const string BusyboxImage = "shoal-test/busybox:1";

    private readonly BackgroundProcess _dockerd;

    private DockerEngine(string directory, BackgroundProcess dockerd)
    {
        Directory = directory;
        _dockerd = dockerd;
    }

    /// <summary>The engine's scratch directory (socket, data root, exec root).</summary>
    public string Directory { get; }

    /// <summary>The engine's socket path.</summary>
    public string Socket => Path.Combine(Directory, "docker.sock");

    /// <summary>The engine's address, as <c>DOCKER_HOST</c> spells it.</summary>
    public Uri Endpoint => new("unix://" + Socket);

    /// <summary>The dockerd binary, or null when docker.io is not installed.</summary>
    public static string? Dockerd { get; } = new[] { "/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd" }.FirstOrDefault(File.Exists);

    /// <summary>Starts dockerd and imports <see cref="BusyboxImage"/>; fails (never skips) with what to install when it cannot.</summary>
    public static async Task<DockerEngine> StartAsync()
    {
        var dockerd = Dockerd ?? throw new InvalidOperationException("dockerd is not installed: apt-get install -y --no-install-recommends docker.io");
        if (!File.Exists("/bin/busybox"))
        {
            throw new InvalidOperationException("/bin/busybox is missing: apt-get install -y busybox-static");
        }

        // A short path: a unix socket's path must fit in 108 bytes.
        var directory = System.IO.Directory.CreateTempSubdirectory("shoal-dockerd-").FullName;
        var process = BackgroundProcess.Start(dockerd,
        [
            "--data-root", Path.Combine(directory, "data"),
            "--exec-root", Path.Combine(directory, "exec"),
            "--pidfile", Path.Combine(directory, "dockerd.pid"),
            "-H", "unix://" + Path.Combine(directory, "docker.sock"),
            "--iptables=false", "--bridge=none", "--ip-forward=false",
        ], workingDirectory: directory);
        var engine = new DockerEngine(directory, process);
        try
        {
            await Poll.UntilAsync(async () => !process.HasExited && await engine.PingAsync(), TimeSpan.FromSeconds(60), "dockerd to answer on " + engine.Socket);
            await engine.ImportBusyboxAsync();
            return engine;
        }
        catch (Exception ex)
        {
            var output = string.Join('\n', process.Lines.TakeLast(30));
            await engine.DisposeAsync();
            throw new InvalidOperationException($"dockerd did not come up ({ex.Message}); its last output:\n{output}", ex);
        }
    }

    /// <summary>An HTTP client that talks to the engine's socket (base address http://docker/).</summary>
    public HttpClient CreateClient()
    {
        var socket = Socket;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    s.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://docker/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Containers on the engine (all states) carrying <paramref name="label"/> (<c>key=value</c>), by id.</summary>
    public async Task<IReadOnlyList<string>> ContainersWithLabelAsync(string label)
    {
        using var client = CreateClient();
        var filters = Uri.EscapeDataString("{\"label\":[\"" + label + "\"]}");
        using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("containers/json?all=1&filters=" + filters));
        return [.. document.RootElement.EnumerateArray().Select(c => c.GetProperty("Id").GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        Signal(15);
        var watch = Stopwatch.StartNew();
        while (!_dockerd.HasExited && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        if (!_dockerd.HasExited)
        {
            Signal(9);
        }

        await _dockerd.DisposeAsync();

        // dockerd leaves its default network namespace bind-mounted under the exec root, which keeps the directory.
        foreach (var mount in MountsUnder(Directory).OrderByDescending(m => m.Length))
        {
            using var umount = Process.Start("umount", [mount]);
            await umount.WaitForExitAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A mount the engine left behind (killed mid-way) keeps its directory; the temp dir goes with the machine.
        }
    }

    private static IEnumerable<string> MountsUnder(string directory) =>
        File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(point => point.StartsWith(directory + "/", StringComparison.Ordinal))
            .ToList();

    private void Signal(int signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _dockerd.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private async Task<bool> PingAsync()
    {
        if (!File.Exists(Socket))
        {
            return false;
        }

        using var client = CreateClient();
        try
        {
            return (await client.GetStringAsync("_ping")) == "OK";
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task ImportBusyboxAsync()
    {
        // The busybox rootfs of isolation.md's recipe, made as a tar stream: /bin/busybox plus a link per applet
        // (not for busybox itself, which would replace the binary with a link to itself).
        var applets = await ListAppletsAsync();
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "proc", "sys", "dev", "etc", "tmp", "www" })
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = (UnixFileMode)0b111_101_101 });
            }

            await writer.WriteEntryAsync("/bin/busybox", "bin/busybox");
            foreach (var applet in applets.Where(a => a != "busybox"))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
            }
        }

        tar.Position = 0;
        using var client = CreateClient();
        var (repo, tag) = (BusyboxImage[..BusyboxImage.IndexOf(':', StringComparison.Ordinal)], BusyboxImage[(BusyboxImage.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        using var content = new StreamContent(tar);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await client.PostAsync($"images/create?fromSrc=-&repo={repo}&tag={tag}&changes={Uri.EscapeDataString("ENV PATH=/bin")}", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"importing {BusyboxImage} failed: {(int)response.StatusCode} {body}");
        }
    }

    private static async Task<string[]> ListAppletsAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
