using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Functions.Runtime;

/// <summary>
/// One HTTP/1.1 connection to the Runtime API on a blocking socket: a request goes out in one <c>send</c>, a response
/// is parsed in place from one reused receive buffer (status, <c>Content-Length</c> or chunked body, the
/// <c>Lambda-Runtime-*</c> headers), so an exchange costs its two system calls and the body's one copy. A connection
/// the server closed is opened again for the next request; a request whose reused connection turns out closed before
/// any byte of its answer is sent again once on a new one (the server never saw it). A request may carry a second one
/// behind it (pipelining, <see cref="ReceivePipelined"/>); the wait for the first answer then uses the socket's receive
/// low-water mark so that the thread wakes once, when the second answer starts to arrive, not for each.
/// </summary>
/// <param name="host">The Runtime API's host name or address.</param>
/// <param name="port">Its port.</param>
internal sealed class RuntimeApiConnection(string host, int port) : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;

    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private Socket? _socket;
    private bool _reused;
    private volatile bool _aborted;
    private bool _closedBeforeAnswer;
    private bool _pipelined;
    private int _answerBytes;
    private bool _lowWater;

    /// <summary>True when the last exchange sent a second request behind the first, whose answer is still to be read.</summary>
    public bool Pipelined => _pipelined;

    /// <summary>
    /// Sends <paramref name="head"/> then <paramref name="body"/> and reads the answer. With <paramref name="pipelines"/>
    /// the bytes hold a second request after the first: its answer is left for <see cref="ReceivePipelined"/>.
    /// </summary>
    /// <exception cref="IOException">The connection failed, or the answer is not HTTP/1.1 this client reads.</exception>
    /// <exception cref="SocketException">The Runtime API could not be reached.</exception>
    public RuntimeApiResponse Exchange(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool readHeaders, bool pipelines = false)
    {
        _pipelined = false;
        _aborted = false;
        for (var attempt = 0; ; attempt++)
        {
            var socket = _socket ??= Connect();
            var fresh = !_reused;
            try
            {
                _closedBeforeAnswer = true;
                Send(socket, head, body);
                _reused = true;
                if (pipelines && _answerBytes > 0 && _end == _start)
                {
                    // The answer to the post is of no use before the next event: wake when more than its length (as
                    // last time) has arrived, i.e. with the event, not once for the answer and again for the event.
                    // Any answer of the pipelined request is longer than a byte, and the end of the stream wakes too.
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, _answerBytes + 1);
                    _lowWater = true;
                }

                var begin = _start;
                var response = Receive(readHeaders);
                if (pipelines && _socket is not null)
                {
                    _pipelined = true;
                    _answerBytes = _start > begin && _start - begin <= 1024 ? _start - begin : 0;
                }

                return response;
            }
            catch (Exception ex) when ((ex is IOException or SocketException) && _closedBeforeAnswer && attempt == 0 && !fresh && !_aborted)
            {
                // A kept-alive connection the server had closed (idle timeout, restart): the request never reached it.
                Close();
            }
            catch
            {
                Close();
                throw;
            }
        }
    }

    /// <summary>
    /// Reads the answer to the request sent behind the last one; null when the connection closed before any byte of it
    /// (the server did not take the second request: send it again).
    /// </summary>
    public RuntimeApiResponse? ReceivePipelined(bool readHeaders)
    {
        _pipelined = false;
        try
        {
            return Receive(readHeaders);
        }
        catch (Exception ex) when ((ex is IOException or SocketException) && _closedBeforeAnswer && !_aborted)
        {
            Close();
            return null;
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Makes a call blocked on the connection fail, from another thread (cancellation).</summary>
    public void Abort()
    {
        _aborted = true;
        Volatile.Read(ref _socket)?.Dispose();
    }

    /// <summary>Closes the socket; the next exchange opens a new one.</summary>
    public void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _reused = false;
        _pipelined = false;
        _lowWater = false;
        _start = _end = 0;
    }

    public void Dispose() => Close();

    private Socket Connect()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Send(Socket socket, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        while (!head.IsEmpty)
        {
            head = head[socket.Send(head)..];
        }

        while (!body.IsEmpty)
        {
            body = body[socket.Send(body)..];
        }
    }

    private RuntimeApiResponse Receive(bool readHeaders)
    {
        _closedBeforeAnswer = _end == _start;
        while (true)
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (_end - _start >= MaxHeaderBytes)
                {
                    throw new IOException("The Runtime API's response headers are too large.");
                }

                if (Fill() == 0)
                {
                    throw new IOException("The Runtime API closed the connection before its answer was complete.");
                }

                _closedBeforeAnswer = false;
            }

            var response = ParseHead(_buffer.AsSpan(_start, headerEnd + 2), readHeaders, out var length, out var chunked, out var close);
            _start += headerEnd + 4;
            if (response.Status is >= 100 and < 200)
            {
                continue;
            }

            var body = chunked ? ReadChunked() : length >= 0 ? ReadExactly(length) : response.Status is 204 or 304 ? [] : ReadToEnd();
            if (close || (length < 0 && !chunked && response.Status is not (204 or 304)))
            {
                Close();
            }

            return response with { Body = body };
        }
    }

    private static RuntimeApiResponse ParseHead(ReadOnlySpan<byte> head, bool readHeaders, out long length, out bool chunked, out bool close)
    {
        length = -1;
        chunked = false;
        var line = head[..head.IndexOf("\r\n"u8)];
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out _))
        {
            throw new IOException("The Runtime API's answer is not an HTTP/1.x response.");
        }

        close = line[7] == (byte)'0';
        string? requestId = null, deadline = null, arn = null, traceId = null;
        head = head[(line.Length + 2)..];
        while (!head.IsEmpty)
        {
            var end = head.IndexOf("\r\n"u8);
            line = head[..end];
            head = head[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                length = Utf8Parser.TryParse(value, out long n, out var used) && used == value.Length && n >= 0 ? n : throw new IOException("The Runtime API's Content-Length is not a number.");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8) || close && !Ascii.EqualsIgnoreCase(value, "keep-alive"u8);
            }
            else if (readHeaders && name.Length > 15 && Ascii.EqualsIgnoreCase(name[..15], "Lambda-Runtime-"u8))
            {
                var rest = name[15..];
                if (Ascii.EqualsIgnoreCase(rest, "Aws-Request-Id"u8))
                {
                    requestId = Encoding.UTF8.GetString(value);
                }
                else if (Ascii.EqualsIgnoreCase(rest, "Deadline-Ms"u8))
                {
                    deadline = Encoding.UTF8.GetString(value);
                }
                else if (Ascii.EqualsIgnoreCase(rest, "Invoked-Function-Arn"u8))
                {
                    arn = Encoding.UTF8.GetString(value);
                }
                else if (Ascii.EqualsIgnoreCase(rest, "Trace-Id"u8))
                {
                    traceId = Encoding.UTF8.GetString(value);
                }
            }
        }

        return new RuntimeApiResponse(status, requestId, deadline, arn, traceId, []);
    }

    private byte[] ReadExactly(long length)
    {
        if (length > Array.MaxLength)
        {
            throw new IOException("The Runtime API's response is too large.");
        }

        var body = new byte[length];
        var copied = Math.Min((int)length, _end - _start);
        _buffer.AsSpan(_start, copied).CopyTo(body);
        _start += copied;
        while (copied < body.Length)
        {
            var n = _socket!.Receive(body.AsSpan(copied));
            copied += n > 0 ? n : throw new IOException("The Runtime API closed the connection in the middle of a response.");
        }

        Compact();
        return body;
    }

    private byte[] ReadChunked()
    {
        using var body = new MemoryStream();
        while (true)
        {
            var line = ReadLine();
            var semicolon = line.IndexOf((byte)';');
            var size = semicolon < 0 ? line : line[..semicolon];
            if (!Utf8Parser.TryParse(size.Trim((byte)' '), out ulong n, out _, 'X') || n > int.MaxValue)
            {
                throw new IOException("The Runtime API's chunked body is malformed.");
            }

            _start += line.Length + 2;
            if (n == 0)
            {
                // Trailers, if any, up to the empty line.
                while (ReadLine() is { Length: > 0 } trailer)
                {
                    _start += trailer.Length + 2;
                }

                _start += 2;
                Compact();
                return body.ToArray();
            }

            body.Write(ReadExactly((long)n));
            var end = ReadLine();
            _start += end.Length + 2;
        }
    }

    private byte[] ReadToEnd()
    {
        using var body = new MemoryStream();
        body.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        while (Fill() > 0)
        {
            body.Write(_buffer, _start, _end - _start);
            _start = _end = 0;
        }

        return body.ToArray();
    }

    /// <summary>The next CRLF-terminated line, read into the buffer if need be (not consumed).</summary>
    private ReadOnlySpan<byte> ReadLine()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeaderBytes || Fill() == 0)
            {
                throw new IOException("The Runtime API's chunked body is malformed.");
            }
        }

        return _buffer.AsSpan(_start, end);
    }

    /// <summary>Receives more bytes after the unread ones; returns how many (0 at the end of the stream).</summary>
    private int Fill()
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Compact(force: true);
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        var n = _socket!.Receive(_buffer.AsSpan(_end));
        if (_lowWater)
        {
            // Only the first receive waits for the low-water mark: what follows may be shorter than it.
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, 1);
            _lowWater = false;
        }

        _end += n;
        return n;
    }

    private void Compact(bool force = false)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (force)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
    }
}
