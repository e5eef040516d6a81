using System.Globalization;
using System.Net;
using System.Text;
using Shoal.Functions.Runtime.APIGateway;

namespace Shoal.Samples.Function;

/// <summary>
/// Serves the echo handler as a plain HTTP server on <c>http://127.0.0.1:PORT/</c> (benchmark baseline: the same
/// handler without the Runtime API in between). Each request becomes a synthetic HTTP API 2.0 event.
/// </summary>
internal static class PlainHttpServer
{
    private static long s_requests;

    public static async Task RunAsync(int port, CancellationToken cancellationToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        listener.Start();
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Serving plain HTTP on http://127.0.0.1:{port}/"));
        using var registration = cancellationToken.Register(listener.Stop);
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (HttpListenerException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            // Requests run concurrently (sleep_ms must not hold up the others), unlike a Lambda instance.
            _ = Task.Run(() => ServeAsync(context), CancellationToken.None);
        }
    }

    private static async Task ServeAsync(HttpListenerContext http)
    {
        var response = http.Response;
        try
        {
            var requestId = Interlocked.Increment(ref s_requests).ToString(CultureInfo.InvariantCulture);
            var request = await ToEventAsync(http.Request, requestId);
            var result = await EchoFunction.HandleHttpApiAsync(request, new LocalContext(requestId));
            response.StatusCode = result.StatusCode;
            foreach (var (name, value) in result.Headers ?? new Dictionary<string, string>())
            {
                response.Headers[name] = value;
            }

            var body = result.Body is null ? []
                : result.IsBase64Encoded ? Convert.FromBase64String(result.Body)
                : Encoding.UTF8.GetBytes(result.Body);
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
        catch (Exception ex)
        {
            // The same outcome as a handler error behind a gateway: a 500, and the details in the log.
            await Console.Error.WriteLineAsync($"Unhandled {ex}");
            response.StatusCode = 500;
        }
        finally
        {
            response.Close();
        }
    }

    private static async Task<APIGatewayHttpApiV2ProxyRequest> ToEventAsync(HttpListenerRequest request, string requestId)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in request.Headers.AllKeys)
        {
            if (name is not null)
            {
                headers[name.ToLowerInvariant()] = request.Headers[name] ?? string.Empty;
            }
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in request.QueryString.AllKeys)
        {
            if (name is not null)
            {
                query[name] = request.QueryString[name] ?? string.Empty;
            }
        }

        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var now = TimeProvider.System.GetUtcNow();
        var path = request.Url?.AbsolutePath ?? "/";
        return new APIGatewayHttpApiV2ProxyRequest
        {
            Version = "2.0",
            RouteKey = "$default",
            RawPath = path,
            RawQueryString = request.Url?.Query.TrimStart('?') ?? string.Empty,
            Cookies = EchoRequest.SplitCookieHeader(request.Headers["Cookie"]).ToList(),
            Headers = headers,
            QueryStringParameters = query.Count == 0 ? null : query,
            Body = body.Length == 0 ? null : Convert.ToBase64String(body.GetBuffer(), 0, (int)body.Length),
            IsBase64Encoded = body.Length > 0,
            RequestContext = new APIGatewayHttpApiV2ProxyRequest.ProxyRequestContext
            {
                RequestId = requestId,
                RouteKey = "$default",
                Stage = "$default",
                Time = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                TimeEpoch = now.ToUnixTimeMilliseconds(),
                Http = new APIGatewayHttpApiV2ProxyRequest.HttpDescription
                {
                    Method = request.HttpMethod,
                    Path = path,
                    Protocol = string.Create(CultureInfo.InvariantCulture, $"HTTP/{request.ProtocolVersion}"),
                    SourceIp = request.RemoteEndPoint?.Address.ToString(),
                    UserAgent = request.UserAgent,
                },
            },
        };
    }
}
