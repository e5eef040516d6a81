using System.Net.Http.Headers;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Pool;

/// <summary>Invokes over HTTP on the Runtime Interface Emulator's path, with pooled keep-alive connections.</summary>
public sealed class HttpInstanceInvoker(TimeProvider? time = null) : IInstanceInvoker, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpMessageInvoker _client = new(Net.UpstreamHandlers.Invocation());

    /// <inheritdoc />
    public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, invokeUrl + InstanceInvokeHttp.Path) { Content = new ReadOnlyMemoryContent(payload) };
        request.Content.Headers.ContentType = s_json;
        request.Headers.TryAddWithoutValidation(InstanceInvokeHttp.RequestIdHeader, requestId);
        if (FunctionTraceContext.Current() is { } traceParent)
        {
            request.Headers.TryAddWithoutValidation(FunctionTraceContext.TraceParentHeader, traceParent);
        }
        // The pool never cancels an invocation (it passes None): then the limit's own source is enough, without a linked one.
        using var timer = new CancellationTokenSource(limit, _time);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token) : null;
        var deadline = linked ?? timer;
        try
        {
            using var response = await _client.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            var gone = response.Headers.TryGetValues(InstanceInvokeHttp.InstanceStateHeader, out var states) && states.Contains("exited");
            var notRun = response.Headers.Contains(InstanceInvokeHttp.NotRunHeader);
            if (!response.Headers.TryGetValues(InstanceInvokeHttp.ErrorKindHeader, out var kinds))
            {
                return response.IsSuccessStatusCode
                    ? new InvokeResult(InvokeResultKind.Success, body, gone)
                    : Unreachable($"The instance answered {(int)response.StatusCode}.", notRun: true);
            }

            return new InvokeResult(InstanceInvokeHttp.ParseKind(kinds.FirstOrDefault()), body, gone, notRun);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return InvokeResult.NoAnswer;
        }
        catch (HttpRequestException ex)
        {
            // Refused: the endpoint is gone and nothing was sent. Otherwise the event may have reached the runtime.
            return Unreachable(ex.Message, notRun: ex.HttpRequestError == HttpRequestError.ConnectionError);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static InvokeResult Unreachable(string why, bool notRun) =>
        InvokeResult.Error(InvokeResultKind.Crash, "Runtime.Unavailable", $"The instance cannot be reached: {why}", instanceGone: true, notRun);
}
