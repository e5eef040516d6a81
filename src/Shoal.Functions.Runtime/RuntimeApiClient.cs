using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Shoal.Functions.Runtime;

/// <summary>The HTTP calls of the Lambda Runtime API (<c>/2018-06-01/runtime/...</c>) over one kept-alive connection.</summary>
internal sealed class RuntimeApiClient : IDisposable
{
    /// <summary>The header carrying the error type on <c>/error</c> and <c>/init/error</c>.</summary>
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

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
    public async Task<Invocation> NextAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken);
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
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new Invocation(
            requestId,
            deadline,
            Header(headers, "Lambda-Runtime-Invoked-Function-Arn") ?? string.Empty,
            Header(headers, "Lambda-Runtime-Trace-Id"),
            body);
    }

    /// <summary>Posts the handler's result (<c>POST invocation/{id}/response</c>); returns the status code.</summary>
    public async Task<HttpStatusCode> PostResponseAsync(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        using var response = await _http.PostAsync(InvocationPath(requestId, "response"), content, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Posts a handler's failure (<c>POST invocation/{id}/error</c>); returns the status code.</summary>
    public Task<HttpStatusCode> PostErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken) =>
        PostErrorToAsync(InvocationPath(requestId, "error"), error, cancellationToken);

    /// <summary>Posts a failure before the first event (<c>POST init/error</c>); returns the status code.</summary>
    public Task<HttpStatusCode> PostInitErrorAsync(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorToAsync("init/error", error, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<HttpStatusCode> PostErrorToAsync(string path, LambdaError error, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(LambdaJson.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.LambdaError));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        using var response = await _http.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    private static string InvocationPath(string requestId, string verb) => $"invocation/{Uri.EscapeDataString(requestId)}/{verb}";

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
