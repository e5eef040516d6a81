using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Shoal.Functions.Runtime;

/// <summary>
/// The HTTP calls of the Lambda Runtime API (<c>/2018-06-01/runtime/...</c>) over one kept-alive connection, made
/// synchronously on a blocking socket. The runtime loop makes one call at a time on a thread of its own, so blocking
/// costs nothing there, and the thread blocked in <c>recv</c> is the one the kernel wakes when the next event arrives.
/// With asynchronous sockets each event would wake the socket engine's thread and then a thread-pool worker; on a busy
/// machine those two wake-ups cost more than the HTTP exchange itself.
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    /// <summary>The header carrying the error type on <c>/error</c> and <c>/init/error</c>.</summary>
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpClient _http;

    public RuntimeApiClient(string runtimeApi)
    {
        var handler = new SocketsHttpHandler
        {
            // The Runtime API is on loopback: a proxy from the environment must never be used, and nothing here
            // needs cookies, redirects, decompression or trace-header propagation (each costs at start-up).
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // The connection stays in blocking mode: connected synchronously, and never scavenged while idle (a
            // scavenge would start an asynchronous read on it, after which .NET emulates blocking calls).
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectCallback = ConnectBlocking,
        };

        // `next` blocks until an event arrives, which may take arbitrarily long: no client timeout at all.
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/runtime/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Waits for the next event (<c>GET invocation/next</c>).</summary>
    /// <exception cref="HttpRequestException">The Runtime API answered other than 200, or could not be reached.</exception>
    public Invocation Next(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "invocation/next");
        using var response = _http.Send(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException(
                string.Create(CultureInfo.InvariantCulture, $"GET invocation/next answered {(int)response.StatusCode}."),
                inner: null,
                response.StatusCode);
        }

        var headers = response.Headers;
        var requestId = Header(headers, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new HttpRequestException("GET invocation/next answered without a Lambda-Runtime-Aws-Request-Id header.");
        var deadline = long.TryParse(Header(headers, "Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
        return new Invocation(
            requestId,
            deadline,
            Header(headers, "Lambda-Runtime-Invoked-Function-Arn") ?? string.Empty,
            Header(headers, "Lambda-Runtime-Trace-Id"),
            ReadBody(response.Content, cancellationToken));
    }

    /// <summary>Posts the handler's result (<c>POST invocation/{id}/response</c>); returns the status code.</summary>
    public HttpStatusCode PostResponse(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = s_json;
        return Post(InvocationPath(requestId, "response"), content, errorType: null, cancellationToken);
    }

    /// <summary>Posts a handler's failure (<c>POST invocation/{id}/error</c>); returns the status code.</summary>
    public HttpStatusCode PostError(string requestId, LambdaError error, CancellationToken cancellationToken) =>
        PostErrorTo(InvocationPath(requestId, "error"), error, cancellationToken);

    /// <summary>Posts a failure before the first event (<c>POST init/error</c>); returns the status code.</summary>
    public HttpStatusCode PostInitError(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorTo("init/error", error, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static ValueTask<Stream> ConnectBlocking(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (cancellationToken.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                socket.Connect(context.DnsEndPoint);
            }

            return ValueTask.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private HttpStatusCode PostErrorTo(string path, LambdaError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(LambdaJson.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError));
        content.Headers.ContentType = s_json;
        return Post(path, content, error.ErrorType, cancellationToken);
    }

    private HttpStatusCode Post(string path, HttpContent content, string? errorType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(ErrorTypeHeader, errorType);
        }

        using var response = _http.Send(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.StatusCode;
    }

    private static byte[] ReadBody(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = content.ReadAsStream(cancellationToken);
        if (stream is MemoryStream buffered)
        {
            return buffered.ToArray();
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string InvocationPath(string requestId, string verb) => $"invocation/{Uri.EscapeDataString(requestId)}/{verb}";

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
