using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Shoal.Bench.Transport;

/// <summary>Reading a response: head, Content-Length, chunked or to-the-end bodies, and the count key a step asks for.</summary>
internal sealed partial class Http1Connection
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BenchResponse> ReadResponseAsync(bool isHead, CancellationToken token)
    {
        _responseStarted = false;
        _bodyLength = 0;
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf(s_headerEnd)) < 0)
        {
            if (_start == 0 && _end == _buffer.Length)
            {
                throw new BenchTransportException(ErrorKind.Other, $"response headers larger than {BufferSize} bytes");
            }

            Filled(await _socket!.ReceiveAsync(FreeSpace(), SocketFlags.None, token).ConfigureAwait(false));
        }

        var head = ParseHead(_buffer.AsSpan(_start, headerEnd));
        _start += headerEnd + s_headerEnd.Length;

        var collect = _countField is not null;
        if (isHead || head.Status is < 200 or 204 or 304)
        {
            // No body.
        }
        else if (head.Chunked)
        {
            await ReadChunkedAsync(collect, token).ConfigureAwait(false);
        }
        else if (head.ContentLength >= 0 && (collect || head.ContentLength > _end - _start))
        {
            await ReadBytesAsync(head.ContentLength, collect, token).ConfigureAwait(false);
        }
        else if (head.ContentLength < 0)
        {
            await ReadToEndAsync(collect, token).ConfigureAwait(false);
            head.KeepAlive = false;
        }
        else
        {
            // The whole body came with the head (the usual small response): no call, no state machine.
            _start += (int)head.ContentLength;
        }

        if (!head.KeepAlive)
        {
            Close();
        }

        var key = collect ? FindField() : head.CountKey;
        return new BenchResponse(head.Status, key);
    }

    private ResponseHead ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf(s_crlf);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new BenchTransportException(ErrorKind.Other, "malformed status line: " + Encoding.ASCII.GetString(statusLine[..Math.Min(statusLine.Length, 80)]));
        }

        var result = new ResponseHead { Status = status, ContentLength = -1, KeepAlive = statusLine[7] == (byte)'1' };
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(s_crlf);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out _))
                {
                    throw new BenchTransportException(ErrorKind.Other, "malformed Content-Length");
                }

                result.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                result.Chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (Ascii.EqualsIgnoreCase(value, "close"u8))
                {
                    result.KeepAlive = false;
                }
                else if (Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                {
                    result.KeepAlive = true;
                }
            }
            else if (_countHeader is not null && Ascii.EqualsIgnoreCase(name, _countHeader))
            {
                result.CountKey = _keys.Get(value);
            }
        }

        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadBytesAsync(long count, bool collect, CancellationToken token)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                Filled(await _socket!.ReceiveAsync(FreeSpace(), SocketFlags.None, token).ConfigureAwait(false));
            }

            var take = (int)Math.Min(count, _end - _start);
            if (collect)
            {
                Collect(_buffer.AsSpan(_start, take));
            }

            _start += take;
            count -= take;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadChunkedAsync(bool collect, CancellationToken token)
    {
        while (true)
        {
            var line = await ReadLineAsync(token).ConfigureAwait(false);
            var semicolon = line.Span.IndexOf((byte)';');
            var sizeText = (semicolon < 0 ? line.Span : line.Span[..semicolon]).Trim((byte)' ');
            if (!Utf8Parser.TryParse(sizeText, out long size, out var consumed, 'X') || consumed != sizeText.Length)
            {
                throw new BenchTransportException(ErrorKind.Other, "malformed chunk size");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync(token).ConfigureAwait(false)).Length > 0)
                {
                }

                return;
            }

            await ReadBytesAsync(size, collect, token).ConfigureAwait(false);
            if ((await ReadLineAsync(token).ConfigureAwait(false)).Length != 0)
            {
                throw new BenchTransportException(ErrorKind.Other, "chunk not followed by CRLF");
            }
        }
    }

    /// <summary>Reads up to the next CRLF; the returned bytes stay valid until the next read.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken token)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf(s_crlf)) < 0)
        {
            if (_start == 0 && _end == _buffer.Length)
            {
                throw new BenchTransportException(ErrorKind.Other, "line too long in chunked body");
            }

            Filled(await _socket!.ReceiveAsync(FreeSpace(), SocketFlags.None, token).ConfigureAwait(false));
        }

        var line = _buffer.AsMemory(_start, end);
        _start += end + 2;
        return line;
    }

    private async ValueTask ReadToEndAsync(bool collect, CancellationToken token)
    {
        while (true)
        {
            if (collect)
            {
                Collect(_buffer.AsSpan(_start, _end - _start));
            }

            _start = _end = 0;
            var read = await _socket!.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            _end = read;
        }
    }

    /// <summary>The buffer space a receive fills: after what is unread, which moves to the front when the buffer is full.</summary>
    private Memory<byte> FreeSpace()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Takes in what a receive into <see cref="FreeSpace"/> read.</summary>
    private void Filled(int read)
    {
        if (read == 0)
        {
            throw new ConnectionClosedException();
        }

        _responseStarted = true;
        _end += read;
    }

    private void Collect(ReadOnlySpan<byte> data)
    {
        if (_bodyLength + data.Length > MaxBody)
        {
            return;
        }

        if (_body.Length < _bodyLength + data.Length)
        {
            Array.Resize(ref _body, Math.Max(_bodyLength + data.Length, Math.Max(4096, _body.Length * 2)));
        }

        data.CopyTo(_body.AsSpan(_bodyLength));
        _bodyLength += data.Length;
    }

    private string? FindField()
    {
        try
        {
            var reader = new Utf8JsonReader(_body.AsSpan(0, _bodyLength));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(_countField);
                reader.Read();
                if (match && reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
                {
                    return _keys.Get(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private struct ResponseHead
    {
        public int Status;
        public long ContentLength;
        public bool Chunked;
        public bool KeepAlive;
        public string? CountKey;
    }
}
