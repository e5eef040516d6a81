using System.Globalization;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Agent.Protocol;
using Shoal.Http;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// An instance's endpoint on the agent's shared <see cref="RuntimeApiListener"/>: it serves the Lambda Runtime API to
/// the instance's runtime process (<c>AWS_LAMBDA_RUNTIME_API</c>) and takes invocations from a gateway on the Runtime
/// Interface Emulator's path. Both sides are behind a secret path prefix of their own (<see cref="PathSecret"/>), which
/// is also how the shared listener tells instances apart: another local process that finds the port, or another
/// instance, gets 404s, neither an event nor a way to answer one.
/// </summary>
/// <param name="slot">The instance's invocation slot.</param>
/// <param name="invoke">Invokes the instance (the gateway's side).</param>
/// <param name="initFailed">Called once the runtime has reported an init error and been answered: the instance must be killed.</param>
/// <param name="arn">The function's ARN, for <c>Lambda-Runtime-Invoked-Function-Arn</c>.</param>
/// <param name="time">The clock of the <c>Lambda-Runtime-Deadline-Ms</c> header.</param>
/// <param name="listeners">The agent's listeners, one per address.</param>
internal sealed class RuntimeApiEndpoint(InvocationSlot slot, Func<string, ReadOnlyMemory<byte>, string?, Task<InvokeResult>> invoke, Action initFailed, string arn, TimeProvider time, RuntimeApiListeners listeners) : IAsyncDisposable
{
    private const string RuntimePrefix = "/2018-06-01/runtime/";
    private const int MaxPayloadBytes = 6 * 1024 * 1024;
    private static readonly byte[] s_accepted = """{"status":"OK"}"""u8.ToArray();

    private readonly PathSecret _runtimeSecret = new();
    private readonly PathSecret _invokeSecret = new();
    private RuntimeApiListener? _listener;
    private System.Net.IPAddress? _address;

    /// <summary>What the runtime gets as <c>AWS_LAMBDA_RUNTIME_API</c>, <c>host:port/SECRET</c>: runtimes build <c>http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/…</c>, so the secret leads every path.</summary>
    public string RuntimeApi { get; private set; } = "";

    /// <summary>Where invocations go, e.g. <c>http://127.0.0.1:41234/SECRET</c>: the secret is part of it, so only the agent and whom it tells can invoke.</summary>
    public string InvokeUrl { get; private set; } = "";

    /// <summary>Opens the endpoint on the listener of loopback, or of <paramref name="listen"/> (the host's address on the bridge of an isolated instance, which cannot reach loopback).</summary>
    public async Task StartAsync(System.Net.IPAddress? listen, CancellationToken cancellationToken)
    {
        var address = listen ?? System.Net.IPAddress.Loopback;
        var listener = await listeners.AcquireAsync(address, cancellationToken).ConfigureAwait(false);
        (_listener, _address) = (listener, address);
        listener.Add(this, _runtimeSecret.Value, _invokeSecret.Value);
        InvokeUrl = $"http://{listener.Authority}/{_invokeSecret.Value}";
        RuntimeApi = $"{listener.Authority}/{_runtimeSecret.Value}";
    }

    /// <summary>Closes the endpoint: its paths no longer exist.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _listener, null) is { } listener)
        {
            listener.Remove(_runtimeSecret.Value, _invokeSecret.Value);
            await listeners.ReleaseAsync(_address!).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The invoke side, <paramref name="rest"/> being the path after the invoke secret.</summary>
    public Task HandleInvokeAsync(HttpContext context, ReadOnlySpan<char> rest) =>
        HttpMethods.IsPost(context.Request.Method) && rest.SequenceEqual(InstanceInvokeHttp.Path)
            ? InvokeHttpAsync(context)
            : WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", "No such path.");

    /// <summary>The Runtime API, <paramref name="path"/> being the path after the runtime secret.</summary>
    public Task HandleRuntimeAsync(HttpContext context, ReadOnlySpan<char> path)
    {
        if (!path.StartsWith(RuntimePrefix, StringComparison.Ordinal))
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", "No such path.");
        }

        var post = HttpMethods.IsPost(context.Request.Method);
        var rest = path[RuntimePrefix.Length..];
        if (rest.SequenceEqual("invocation/next") && HttpMethods.IsGet(context.Request.Method))
        {
            return NextAsync(context);
        }

        if (post && rest.SequenceEqual("init/error"))
        {
            return InitErrorAsync(context);
        }

        if (post && rest.StartsWith("invocation/"))
        {
            var tail = rest["invocation/".Length..];
            var slash = tail.IndexOf('/');
            if (slash > 0)
            {
                var requestId = tail[..slash].ToString();
                var verb = tail[(slash + 1)..];
                if (verb.SequenceEqual("response"))
                {
                    return CompleteAsync(context, requestId, error: false);
                }

                if (verb.SequenceEqual("error"))
                {
                    return CompleteAsync(context, requestId, error: true);
                }
            }
        }

        return WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", "No such Runtime API path.");
    }

    /// <summary>The gateway's side over HTTP: the request body is the event, the outcome goes back as <see cref="InstanceInvokeHttp"/> says.</summary>
    private async Task InvokeHttpAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false);
        if (body is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException", $"Request must be smaller than {MaxPayloadBytes} bytes for the InvokeFunction operation").ConfigureAwait(false);
            return;
        }

        var requestId = context.Request.Headers[InstanceInvokeHttp.RequestIdHeader].ToString();
        if (string.IsNullOrEmpty(requestId))
        {
            requestId = Guid.NewGuid().ToString();
        }

        var outcome = await invoke(requestId, body, context.Request.Headers.TraceParent.ToString()).ConfigureAwait(false);
        await WriteOutcomeAsync(context, outcome).ConfigureAwait(false);
    }

    /// <summary>The runtime's side: <c>GET next</c> blocks until an event arrives.</summary>
    private async Task NextAsync(HttpContext context)
    {
        var next = await slot.TakeNextAsync(context.RequestAborted).ConfigureAwait(false);
        switch (next.Status)
        {
            case NextStatus.AlreadyWaiting:
                await WriteErrorAsync(context, StatusCodes.Status409Conflict, "Runtime.NextAlreadyWaiting", "Another invocation/next is already waiting for the next event.").ConfigureAwait(false);
                return;
            case NextStatus.Terminated:
                await WriteErrorAsync(context, StatusCodes.Status410Gone, "Runtime.Terminated", "The instance is shutting down.").ConfigureAwait(false);
                return;
            case NextStatus.Abandoned:
                return;
        }

        var invocation = next.Invocation!;
        var deadline = time.GetUtcNow() + slot.InvocationTimeout;
        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = arn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = invocation.Payload.Length;
        slot.Hand(invocation);
        await context.Response.Body.WriteAsync(invocation.Payload).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context, string requestId, bool error)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false);
        if (body is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", $"The response must be smaller than {MaxPayloadBytes} bytes.").ConfigureAwait(false);
            slot.Fail(InvokeResult.Error(InvokeResultKind.HandlerError, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size.", instanceGone: false), requestId);
            return;
        }

        if (slot.TakeAnswer(requestId) is not { } invocation)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestID", $"Invalid request ID: '{requestId}'.").ConfigureAwait(false);
            return;
        }

        if (error && body.Length == 0)
        {
            var type = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
            body = InvokeResult.ErrorDocument(string.IsNullOrEmpty(type) ? "Unhandled" : type, "The function reported an error.");
        }

        invocation.TryComplete(new InvokeResult(error ? InvokeResultKind.HandlerError : InvokeResultKind.Success, body, InstanceGone: false));
        await WriteAcceptedAsync(context).ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false) ?? [];
        if (body.Length == 0)
        {
            var type = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
            body = InvokeResult.ErrorDocument(string.IsNullOrEmpty(type) ? "Runtime.InitError" : type, "The runtime failed to initialize.");
        }

        slot.Fail(new InvokeResult(InvokeResultKind.InitError, body, InstanceGone: true));
        await WriteAcceptedAsync(context).ConfigureAwait(false);

        // Lambda ends an environment whose init failed; the next invocation gets a fresh one.
        initFailed();
    }

    // With its length known the answer goes out whole in one send; written without it, it was chunked, and the
    // closing chunk a second send (and a second wake-up of the runtime, which reads up to it).
    private static async Task WriteAcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = s_accepted.Length;
        await context.Response.Body.WriteAsync(s_accepted).ConfigureAwait(false);
    }

    private static async Task WriteOutcomeAsync(HttpContext context, InvokeResult outcome)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var headers = context.Response.Headers;
        if (outcome.IsError)
        {
            headers["X-Amz-Function-Error"] = "Unhandled";
            headers[InstanceInvokeHttp.ErrorKindHeader] = InstanceInvokeHttp.KindName(outcome.Kind);
        }

        if (outcome.InstanceGone)
        {
            headers[InstanceInvokeHttp.InstanceStateHeader] = "exited";
        }

        if (outcome.NotRun)
        {
            headers[InstanceInvokeHttp.NotRunHeader] = "1";
        }

        context.Response.ContentLength = outcome.Payload.Length;
        await context.Response.Body.WriteAsync(outcome.Payload).ConfigureAwait(false);
    }

    /// <summary>A Runtime API error document with <paramref name="status"/>.</summary>
    public static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        var document = InvokeResult.ErrorDocument(type, message);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = document.Length;
        await context.Response.Body.WriteAsync(document).ConfigureAwait(false);
    }
}
