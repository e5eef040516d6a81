using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Shoal.Bench.Requests;

namespace Shoal.Bench.Transport;

/// <summary>A request slot over <see cref="HttpMessageInvoker"/>: for HTTP/2 (prior knowledge on http://) and for https.</summary>
internal sealed class HttpClientConnection(HttpMessageInvoker invoker, Version version, TimeSpan timeout, CountSpec count, TimeProvider time) : IBenchConnection
{
    private readonly KeyCache _keys = new();

    public static HttpMessageInvoker CreateInvoker(int connections) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = connections,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    public async ValueTask<BenchResponse> SendAsync(BenchRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri)
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.Remove(name);
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            using var response = await invoker.SendAsync(message, deadline.Token).ConfigureAwait(false);
            string? key = null;
            if (count.Field is not null)
            {
                var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                key = FindField(body, count.Field);
            }
            else
            {
                await response.Content.CopyToAsync(Stream.Null, deadline.Token).ConfigureAwait(false);
                if (count.Header is not null && response.Headers.TryGetValues(count.Header, out var values))
                {
                    key = _keys.Get(Encoding.UTF8.GetBytes(values.First()));
                }
            }

            return new BenchResponse((int)response.StatusCode, key);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new BenchTransportException(ErrorKind.Timeout, $"no complete response within {timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException ex)
        {
            var kind = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? ErrorKind.ConnectRefused
                : ex.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError || ex.InnerException is IOException ? ErrorKind.Reset
                : ErrorKind.Other;
            throw new BenchTransportException(kind, ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new BenchTransportException(ErrorKind.Reset, ex.Message, ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string? FindField(byte[] body, string field)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(field, out var value)
                ? _keys.Get(Encoding.UTF8.GetBytes(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
