using System.Net.Http.Headers;

namespace Shoal.Functions.Pool;

/// <summary>How an invocation ended, as the pool reports it.</summary>
public enum InvokeResultKind
{
    /// <summary>The function returned a result.</summary>
    Success,

    /// <summary>The handler failed.</summary>
    HandlerError,

    /// <summary>It ran past the function's timeout.</summary>
    Timeout,

    /// <summary>The runtime process died.</summary>
    Crash,

    /// <summary>The runtime failed to initialize.</summary>
    InitError,
}

/// <summary>The outcome of an invocation.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Payload">The function's result, or its error document.</param>
/// <param name="InstanceGone">True when the instance cannot take another invocation.</param>
/// <param name="NotRun">True when the event never reached the function (the instance was already dead), so it may go to another.</param>
public sealed record InvokeResult(InvokeResultKind Kind, ReadOnlyMemory<byte> Payload, bool InstanceGone, bool NotRun = false)
{
    /// <summary>True unless the function succeeded.</summary>
    public bool IsError => Kind != InvokeResultKind.Success;

    /// <summary>The <c>errorType</c> of an error document, else null.</summary>
    public string? ErrorType => Field("errorType");

    /// <summary>The <c>errorMessage</c> of an error document, else null.</summary>
    public string? ErrorMessage => Field("errorMessage");

    private string? Field(string name)
    {
        if (!IsError)
        {
            return null;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(Payload);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>Sends one invocation to an instance's endpoint.</summary>
public interface IInstanceInvoker
{
    /// <summary>Invokes; failures to reach the instance come back as a <see cref="InvokeResultKind.Crash"/> with the instance gone.</summary>
    Task<InvokeResult> InvokeAsync(string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken);
}

/// <summary>Invokes over HTTP on the Runtime Interface Emulator's path, with pooled keep-alive connections.</summary>
public sealed class HttpInstanceInvoker : IInstanceInvoker, IDisposable
{
    private const string InvokePath = "/2015-03-31/functions/function/invocations";
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    /// <inheritdoc />
    public async Task<InvokeResult> InvokeAsync(string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, invokeUrl + InvokePath) { Content = new ReadOnlyMemoryContent(payload) };
        request.Content.Headers.ContentType = s_json;
        request.Headers.TryAddWithoutValidation("X-Shoal-Request-Id", requestId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            using var response = await _client.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            var gone = response.Headers.TryGetValues("X-Shoal-Instance-State", out var states) && states.Contains("exited");
            var notRun = response.Headers.Contains("X-Shoal-Not-Run");
            if (!response.Headers.TryGetValues("X-Shoal-Error-Kind", out var kinds))
            {
                return response.IsSuccessStatusCode
                    ? new InvokeResult(InvokeResultKind.Success, body, gone)
                    : Unreachable($"The instance answered {(int)response.StatusCode}.", notRun: true);
            }

            var kind = kinds.FirstOrDefault() switch
            {
                "handler" => InvokeResultKind.HandlerError,
                "timeout" => InvokeResultKind.Timeout,
                "crash" => InvokeResultKind.Crash,
                _ => InvokeResultKind.InitError,
            };
            return new InvokeResult(kind, body, gone, notRun);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new InvokeResult(InvokeResultKind.Timeout, Document("Sandbox.Timedout", "The instance did not answer in time."), InstanceGone: true);
        }
        catch (HttpRequestException ex)
        {
            // Refused: the endpoint is gone and nothing was sent. Otherwise the event may have reached the runtime.
            return Unreachable(ex.Message, notRun: ex.HttpRequestError == HttpRequestError.ConnectionError);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static InvokeResult Unreachable(string why, bool notRun) => new(InvokeResultKind.Crash, Document("Runtime.Unavailable", $"The instance cannot be reached: {why}"), InstanceGone: true, notRun);

    internal static byte[] Document(string type, string message) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["errorMessage"] = message, ["errorType"] = type });
}
