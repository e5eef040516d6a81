using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;

namespace Shoal.Functions.Runtime;

/// <summary>
/// The HTTP calls of the Lambda Runtime API (<c>/2018-06-01/runtime/...</c>) over one kept-alive connection
/// (<see cref="RuntimeApiConnection"/>), made synchronously on a blocking socket. The runtime loop makes one call at a
/// time on a thread of its own, so blocking costs nothing there, and the thread blocked in <c>recv</c> is the one the
/// kernel wakes when the next event arrives: no socket engine thread, no thread-pool hop. The requests are the ones
/// <c>HttpClient</c> sent (request line, <c>Host</c>, <c>Content-Type</c> and <c>Content-Length</c> on posts, the
/// error type header), written from one reused buffer; <c>HttpClient</c>'s request and response objects, header
/// collections and content streams cost about as much CPU per invocation as the rest of the runtime together. The loop
/// sends its next <c>GET invocation/next</c> in the same send as each answer (<see cref="PostResponse"/>).
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    /// <summary>The header carrying the error type on <c>/error</c> and <c>/init/error</c>.</summary>
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly RuntimeApiConnection _connection;
    private readonly byte[] _next;
    private readonly string _pathBase;
    private readonly string _host;
    private byte[] _head = new byte[512];

    public RuntimeApiClient(string runtimeApi)
    {
        // AWS_LAMBDA_RUNTIME_API is host:port, possibly followed by a path prefix (Shoal's per-instance secret).
        var uri = new Uri($"http://{runtimeApi}/2018-06-01/runtime/");
        _connection = new RuntimeApiConnection(uri.DnsSafeHost, uri.Port);
        _pathBase = uri.AbsolutePath;
        _host = uri.Authority;
        _next = Encoding.UTF8.GetBytes($"GET {_pathBase}invocation/next HTTP/1.1\r\nHost: {_host}\r\n\r\n");
    }

    /// <summary>Waits for the next event (<c>GET invocation/next</c>).</summary>
    /// <exception cref="HttpRequestException">The Runtime API answered other than 200, or could not be reached.</exception>
    public Invocation Next(CancellationToken cancellationToken)
    {
        var response = (_connection.Pipelined ? ReceivePipelined(cancellationToken) : null)
            ?? Exchange(_next, default, readHeaders: true, cancellationToken);
        if (response.Status != (int)HttpStatusCode.OK)
        {
            throw new HttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"GET invocation/next answered {response.Status}."),
                inner: null,
                (HttpStatusCode)response.Status);
        }

        var requestId = response.RequestId
            ?? throw new HttpRequestException("GET invocation/next answered without a Lambda-Runtime-Aws-Request-Id header.");
        var deadline = long.TryParse(response.DeadlineMs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new Invocation(requestId, deadline, response.InvokedFunctionArn ?? string.Empty, response.TraceId, response.Body);
    }

    /// <summary>
    /// Posts the handler's result (<c>POST invocation/{id}/response</c>); returns the status code. With
    /// <paramref name="thenNext"/> the <c>GET invocation/next</c> goes out in the same send, right behind it (HTTP/1.1
    /// pipelining: the server answers the post, then takes the next request from what it has already read), and the
    /// following <see cref="Next"/> only reads its answer: one send and one wake-up fewer on each side per invocation.
    /// </summary>
    public HttpStatusCode PostResponse(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, bool thenNext = false) =>
        Post($"invocation/{Uri.EscapeDataString(requestId)}/response", body.Span, errorType: null, cancellationToken, thenNext);

    /// <summary>Posts a handler's failure (<c>POST invocation/{id}/error</c>); returns the status code; <paramref name="thenNext"/> as for <see cref="PostResponse"/>.</summary>
    public HttpStatusCode PostError(string requestId, LambdaError error, CancellationToken cancellationToken, bool thenNext = false) =>
        Post($"invocation/{Uri.EscapeDataString(requestId)}/error", LambdaJson.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError), error.ErrorType, cancellationToken, thenNext);

    /// <summary>Posts a failure before the first event (<c>POST init/error</c>); returns the status code.</summary>
    public HttpStatusCode PostInitError(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorTo("init/error", error, cancellationToken);

    public void Dispose() => _connection.Dispose();

    private HttpStatusCode PostErrorTo(string path, LambdaError error, CancellationToken cancellationToken) =>
        Post(path, LambdaJson.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError), error.ErrorType, cancellationToken);

    private HttpStatusCode Post(string path, ReadOnlySpan<byte> body, string? errorType, CancellationToken cancellationToken, bool thenNext = false)
    {
        // A header value is one line of visible ASCII: anything else in a type name would break the request.
        var typeLine = errorType is null ? "" : $"{ErrorTypeHeader}: {HeaderValue(errorType)}\r\n";
        var head = $"POST {_pathBase}{path} HTTP/1.1\r\nHost: {_host}\r\nContent-Type: application/json\r\n{typeLine}Content-Length: ";
        var size = Encoding.UTF8.GetByteCount(head) + 24 + body.Length + _next.Length;
        if (_head.Length < size && size <= 64 * 1024)
        {
            _head = new byte[Math.Max(size, _head.Length * 2)];
        }

        var written = Encoding.UTF8.GetBytes(head, _head);
        Utf8Formatter.TryFormat(body.Length, _head.AsSpan(written), out var digits);
        written += digits;
        "\r\n\r\n"u8.CopyTo(_head.AsSpan(written));
        written += 4;

        // A small body goes in the same send as its head (one segment with TCP_NODELAY), and the pipelined next with
        // them; a large one after its head, and the next on its own later.
        if (written + body.Length + _next.Length <= _head.Length)
        {
            body.CopyTo(_head.AsSpan(written));
            written += body.Length;
            if (thenNext)
            {
                _next.CopyTo(_head.AsSpan(written));
                written += _next.Length;
            }

            return (HttpStatusCode)Exchange(_head.AsSpan(0, written), default, readHeaders: false, cancellationToken, pipelines: thenNext).Status;
        }

        return (HttpStatusCode)Exchange(_head.AsSpan(0, written), body, readHeaders: false, cancellationToken).Status;
    }

    private static string HeaderValue(string value) => string.Create(value.Length, value, static (span, text) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = text[i] is >= ' ' and <= '~' ? text[i] : '_';
        }
    });

    private RuntimeApiResponse? ReceivePipelined(CancellationToken cancellationToken) =>
        Call(default, default, readHeaders: true, cancellationToken, pipelines: false, receivePipelined: true);

    private RuntimeApiResponse Exchange(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool readHeaders, CancellationToken cancellationToken, bool pipelines = false) =>
        Call(head, body, readHeaders, cancellationToken, pipelines, receivePipelined: false)!.Value;

    /// <summary>One exchange (or, with <paramref name="receivePipelined"/>, the answer to the pipelined request), failures as <see cref="HttpRequestException"/>.</summary>
    private RuntimeApiResponse? Call(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, bool readHeaders, CancellationToken cancellationToken, bool pipelines, bool receivePipelined)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static c => ((RuntimeApiConnection)c!).Abort(), _connection)
            : default;
        try
        {
            return receivePipelined ? _connection.ReceivePipelined(readHeaders) : _connection.Exchange(head, body, readHeaders, pipelines);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException($"The Runtime API connection failed: {ex.Message}", ex);
        }
        finally
        {
            registration.Dispose();
        }
    }
}
