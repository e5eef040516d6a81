using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Testing;

/// <summary>
/// A throwaway Redis server on a free loopback port, from the machine's <c>redis-server</c> (Debian's <c>redis-server</c>
/// package), with its own data directory. It can be stopped and started again on the same port and data, for the tests of
/// what happens while Redis is away.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private BackgroundProcess? _process;

    private RedisServer(int port, string dataDirectory)
    {
        Port = port;
        _dataDirectory = dataDirectory;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as StackExchange.Redis takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A <c>redis://</c> URL.</summary>
    public string Url => $"redis://{Endpoint}";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync()
    {
        if (!File.Exists("/usr/bin/redis-server"))
        {
            throw new InvalidOperationException("redis-server was not found: install it (apt-get install -y redis-server).");
        }

        var server = new RedisServer(FreePort.Next(), System.IO.Directory.CreateTempSubdirectory("shoal-redis-").FullName);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and data directory and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        _process = BackgroundProcess.Start(
            "/usr/bin/redis-server",
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _dataDirectory, "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            workingDirectory: _dataDirectory);
        await Poll.UntilAsync(PingAsync, TimeSpan.FromSeconds(20), $"redis-server on {Endpoint} answers PING");
    }

    /// <summary>Kills the server (SIGKILL): clients see their connections drop.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Sends one command in RESP and returns the raw reply (<c>+PONG\r\n</c>, <c>:42\r\n</c>).</summary>
    public Task<string> CommandAsync(params string[] arguments) => CommandAsync(Port, arguments);

    /// <summary>Sends one command in RESP to the Redis on 127.0.0.1:<paramref name="port"/> (any, also one a stack runs) and returns the raw reply.</summary>
    public static async Task<string> CommandAsync(int port, params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (await CommandAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
