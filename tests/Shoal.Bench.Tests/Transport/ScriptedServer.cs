using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Bench.Tests.Transport;

/// <summary>A loopback server that answers each request with the next scripted response, written in the given fragments.</summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<Func<NetworkStream, Task>> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public ScriptedServer()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public int Connections { get; private set; }

    public List<string> Requests { get; } = [];

    /// <summary>Answers the next request with these fragments, written separately with a short pause between them.</summary>
    public ScriptedServer Then(params string[] fragments) => Write(fragments, close: false);

    /// <summary>Answers the next request with these fragments, then closes the connection.</summary>
    public ScriptedServer ThenAndClose(params string[] fragments) => Write(fragments, close: true);

    private ScriptedServer Write(string[] fragments, bool close)
    {
        _script.Enqueue(async stream =>
        {
            foreach (var fragment in fragments)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(fragment));
                await stream.FlushAsync();
                await Task.Delay(5);
            }

            if (close)
            {
                stream.Socket.Close();
            }
        });
        return this;
    }

    /// <summary>Answers the next request by closing the connection without a word.</summary>
    public ScriptedServer ThenClose()
    {
        _script.Enqueue(stream =>
        {
            stream.Socket.Close();
            return Task.CompletedTask;
        });
        return this;
    }

    /// <summary>Does not answer the next request for a while.</summary>
    public ScriptedServer ThenStall(TimeSpan time)
    {
        _script.Enqueue(_ => Task.Delay(time));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Connections++;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[65536];
        var pending = new StringBuilder();
        try
        {
            while (client.Connected)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var text = pending.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                lock (Requests)
                {
                    Requests.Add(text[..end]);
                }

                pending.Clear().Append(text[(end + 4)..]);
                Func<NetworkStream, Task> step;
                lock (_script)
                {
                    step = _script.Count > 0 ? _script.Dequeue() : s => s.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray()).AsTask();
                }

                await step(stream);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
