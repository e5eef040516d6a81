using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Functions.Tests.Runtime;

/// <summary>
/// A loopback TCP server that answers each HTTP/1.1 request it reads with the next scripted raw answer (bytes exactly as
/// given), then keeps the connection or closes it as scripted; records every request and counts connections.
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentQueue<(string Answer, bool Close)> _script = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public ScriptedHttpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The requests read so far, head and body, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Queues the raw answer to the next request; with <paramref name="close"/> the connection closes after it.</summary>
    public void Answer(string raw, bool close = false) => _script.Enqueue((raw, close));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8.ToArray())) < 0)
                {
                    var n = await socket.ReceiveAsync(chunk, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, n));
                }

                var head = Encoding.ASCII.GetString([.. buffer[..headEnd]]);
                var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                while (buffer.Count < headEnd + 4 + length)
                {
                    var n = await socket.ReceiveAsync(chunk, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, n));
                }

                _requests.Enqueue(head + "\r\n\r\n" + Encoding.UTF8.GetString([.. buffer[(headEnd + 4)..(headEnd + 4 + length)]]));
                buffer.RemoveRange(0, headEnd + 4 + length);
                if (!_script.TryDequeue(out var step))
                {
                    return;
                }

                await socket.SendAsync(Encoding.UTF8.GetBytes(step.Answer), _stop.Token);
                if (step.Close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }
    }

    private static int IndexOf(List<byte> buffer, byte[] value)
    {
        for (var i = 0; i + value.Length <= buffer.Count; i++)
        {
            if (buffer.Skip(i).Take(value.Length).SequenceEqual(value))
            {
                return i;
            }
        }

        return -1;
    }
}
