using System.Diagnostics;
using System.Globalization;

namespace Shoal.Testing;

/// <summary>
/// A throwaway etcd cluster of one or more members on free loopback ports, from the machine's <c>etcd</c> binary
/// (Debian's <c>etcd-server</c> package, which <c>.ci/run</c> installs). Members can be killed to test failover.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly List<Member> _members;

    private EtcdCluster(string directory, List<Member> members)
    {
        _directory = directory;
        _members = members;
    }

    /// <summary>The client endpoints, <c>127.0.0.1:port</c> each.</summary>
    public IReadOnlyList<string> Endpoints => _members.Select(m => $"127.0.0.1:{m.ClientPort.ToString(CultureInfo.InvariantCulture)}").ToList();

    /// <summary>A registry store address for every member: <c>etcd://…/prefix</c>.</summary>
    public string StoreAddress(string prefix) => $"etcd://{string.Join(',', Endpoints)}{prefix}";

    /// <summary>Starts <paramref name="size"/> members and waits until every one reports healthy.</summary>
    public static async Task<EtcdCluster> StartAsync(int size = 1)
    {
        var binary = new[] { "/usr/bin/etcd", "/usr/local/bin/etcd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("etcd was not found: install it (apt-get install -y etcd-server).");
        var directory = Directory.CreateTempSubdirectory("shoal-etcd-").FullName;
        var members = Enumerable.Range(1, size).Select(i => new Member($"m{i}", FreePort.Next(), FreePort.Next())).ToList();
        var initial = string.Join(',', members.Select(m => $"{m.Name}=http://127.0.0.1:{m.PeerPort}"));
        var token = Path.GetFileName(directory);
        foreach (var m in members)
        {
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--name", m.Name, "--data-dir", Path.Combine(directory, m.Name),
                "--listen-client-urls", $"http://127.0.0.1:{m.ClientPort}", "--advertise-client-urls", $"http://127.0.0.1:{m.ClientPort}",
                "--listen-peer-urls", $"http://127.0.0.1:{m.PeerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{m.PeerPort}",
                "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                "--heartbeat-interval", "50", "--election-timeout", "500", "--logger", "zap", "--log-level", "warn",
            })
            {
                start.ArgumentList.Add(argument);
            }

            m.Process = Process.Start(start)!;
            _ = Drain(m.Process.StandardOutput, Path.Combine(directory, m.Name + ".out"));
            _ = Drain(m.Process.StandardError, Path.Combine(directory, m.Name + ".err"));
        }

        var cluster = new EtcdCluster(directory, members);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var m in members)
        {
            await Poll.UntilAsync(async () =>
            {
                try
                {
                    var health = await http.GetStringAsync($"http://127.0.0.1:{m.ClientPort}/health");
                    return health.Contains("\"true\"", StringComparison.Ordinal);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), $"etcd member {m.Name} healthy");
        }

        return cluster;
    }

    /// <summary>Kills member <paramref name="index"/> (0-based) with SIGKILL.</summary>
    public async Task KillAsync(int index)
    {
        var process = _members[index].Process!;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _members.Where(m => m.Process is { HasExited: false }))
        {
            m.Process!.Kill(entireProcessTree: true);
            await m.Process.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A member still writing; the temp directory is cleaned by the machine.
        }
    }

    private static async Task Drain(StreamReader reader, string log)
    {
        try
        {
            await using var file = File.CreateText(log);
            while (await reader.ReadLineAsync() is { } line)
            {
                await file.WriteLineAsync(line);
            }
        }
        catch (IOException)
        {
            // The directory was removed while the member stopped.
        }
    }

    private sealed record Member(string Name, int ClientPort, int PeerPort)
    {
        public Process? Process { get; set; }
    }
}
