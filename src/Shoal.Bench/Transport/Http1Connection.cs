using System.Net;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.Text;
using Shoal.Bench.Requests;

namespace Shoal.Bench.Transport;

/// <summary>
/// A keep-alive HTTP/1.1 client connection over a raw socket: the request goes out as prepared bytes and the response is
/// parsed in place (status, framing, one counted value), so a request costs a send and a receive and allocates nothing.
/// </summary>
internal sealed partial class Http1Connection : IBenchConnection, IDeadlined
{
    private const int BufferSize = 64 * 1024;
    private const int MaxBody = 1024 * 1024;
    private static readonly byte[] s_headerEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_crlf = "\r\n"u8.ToArray();

    private readonly EndPoint _endPoint;
    private readonly TimeSpan _timeout;
    private readonly long _timeoutTicks;
    private readonly TimeProvider _time;
    private readonly byte[]? _countHeader;
    private readonly string? _countField;
    private readonly KeyCache _keys = new();
    private readonly byte[] _buffer = new byte[BufferSize];
    private byte[] _body = [];
    private int _bodyLength;
    private Socket? _socket;
    private long _deadline;
    private int _expired;
    private int _start;
    private int _end;
    private bool _responseStarted;

    public Http1Connection(EndPoint endPoint, TimeSpan timeout, CountSpec count, TimeProvider time, DeadlineWatchdog watchdog)
    {
        _endPoint = endPoint;
        _timeout = timeout;
        _time = time;
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        watchdog.Watch(this);
        _countHeader = count.Header is null ? null : Encoding.ASCII.GetBytes(count.Header);
        _countField = count.Field;
    }

    public long Deadline => Volatile.Read(ref _deadline);

    public void Expire(long deadline)
    {
        // Closing the socket fails the pending send or receive; the request then reports a timeout.
        if (Volatile.Read(ref _deadline) == deadline && Interlocked.Exchange(ref _expired, 1) == 0)
        {
            Volatile.Read(ref _socket)?.Dispose();
        }
    }

    /// <remarks>
    /// One state machine for the deadline, the retry and the send, and one for the response (which receives straight
    /// from the socket): every level of async method a response passes through costs a pooled box and a continuation.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<BenchResponse> SendAsync(BenchRequest request, CancellationToken cancellationToken)
    {
        // The deadline covers connect, send and the whole response; the watchdog enforces it.
        Volatile.Write(ref _expired, 0);
        Volatile.Write(ref _deadline, _time.GetTimestamp() + _timeoutTicks);
        var token = CancellationToken.None;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = _socket is not null;
                try
                {
                    if (_socket is null)
                    {
                        await ConnectAsync(token).ConfigureAwait(false);
                    }

                    // A request fits the socket buffer: the send completes at once, and only a partial one goes on in a loop.
                    var sent = await _socket!.SendAsync(request.Wire.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
                    if (sent < request.Wire.Length)
                    {
                        await SendRestAsync(request.Wire.AsMemory(sent), token).ConfigureAwait(false);
                    }

                    return await ReadResponseAsync(request.IsHead, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (Volatile.Read(ref _expired) != 0 && ex is not BenchTransportException)
                {
                    Close();
                    throw new BenchTransportException(ErrorKind.Timeout, $"no complete response within {_timeout.TotalMilliseconds:0} ms");
                }
                catch (Exception ex) when (reused && attempt == 0 && !_responseStarted && IsConnectionLoss(ex))
                {
                    // The server closed an idle keep-alive connection: every client retries that once on a new one.
                    Close();
                }
                catch (SocketException ex)
                {
                    Close();
                    throw new BenchTransportException(ex.SocketErrorCode == SocketError.ConnectionRefused ? ErrorKind.ConnectRefused : ErrorKind.Reset, ex.Message, ex);
                }
                catch (BenchTransportException)
                {
                    Close();
                    throw;
                }
                catch (IOException ex)
                {
                    Close();
                    throw new BenchTransportException(ErrorKind.Reset, ex.Message, ex);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _deadline, 0);
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private static bool IsConnectionLoss(Exception ex) =>
        ex is ConnectionClosedException or IOException
        || (ex is SocketException s && s.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown);

    private async ValueTask ConnectAsync(CancellationToken token)
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endPoint, token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Volatile.Write(ref _socket, socket);
        _start = _end = 0;
    }

    /// <summary>Finishes a send that did not go out whole at once.</summary>
    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket!.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    private sealed class ConnectionClosedException() : IOException("the connection closed before the response was complete");
}
