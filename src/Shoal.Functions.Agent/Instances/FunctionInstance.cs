using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Runtime;
using Shoal.Http;
using Shoal.Orchestration.Processes;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// One function instance: its runtime process and the endpoint it talks to. The endpoint serves the Lambda Runtime API
/// to the process (<c>AWS_LAMBDA_RUNTIME_API</c>) and takes invocations from a gateway on the Runtime Interface
/// Emulator's path (a gateway in this process calls <see cref="InvokeAsync"/> directly); it holds one invocation at a
/// time, as Lambda does, and enforces the init and invocation deadlines. Both sides are behind a secret path prefix of
/// their own (<see cref="PathSecret"/>): another local process that finds the port gets 404s, neither an event nor a
/// way to answer one.
/// </summary>
internal sealed partial class FunctionInstance : IAsyncDisposable
{
    private const string RuntimePrefix = "/2018-06-01/runtime/";
    private const int MaxPayloadBytes = 6 * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FunctionSpec _spec;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _initTimeout;
    private readonly string _arn;
    private readonly PathSecret _runtimeSecret = new();
    private readonly PathSecret _invokeSecret = new();
    private WebApplication? _endpoint;
    private IInstanceProcess? _process;
    private Invocation? _queued;
    private Invocation? _running;
    private TaskCompletionSource<Invocation>? _nextWaiter;
    private InvokeResult? _terminal;
    private bool _initialized;
    private bool _paused;
    private long _startedAt;

    public FunctionInstance(string id, string owner, FunctionSpec spec, TimeProvider time, ILogger logger)
    {
        Id = id;
        Owner = owner;
        _spec = spec;
        _time = time;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(spec.TimeoutMs > 0 ? spec.TimeoutMs : 3000);
        _initTimeout = TimeSpan.FromMilliseconds(spec.InitTimeoutMs > 0 ? spec.InitTimeoutMs : 10_000);
        var region = spec.Environment.TryGetValue("AWS_REGION", out var r) ? r : "us-east-1";
        _arn = $"arn:aws:lambda:{region}:000000000000:function:{spec.Name}";
    }

    public string Id { get; }

    public string Owner { get; }

    public string Function => _spec.Name;

    /// <summary>Where invocations go, e.g. <c>http://127.0.0.1:41234/SECRET</c>: the secret is part of it, so only the agent and whom it tells can invoke.</summary>
    public string InvokeUrl { get; private set; } = "";

    /// <summary>The process record, once started.</summary>
    public InstanceRecord? Record { get; private set; }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _process?.Exited ?? Task.CompletedTask;

    /// <summary>The instance as the agent's API describes it.</summary>
    public Container Describe()
    {
        var container = new Container
        {
            Id = Id,
            Function = Function,
            Owner = Owner,
            InvokeUrl = InvokeUrl,
            Pid = _process?.Pid ?? 0,
            StartedAtUnixMs = _startedAt,
            Cgroup = _process is { Cgroups.Count: > 0 } p ? p.Cgroups[0] : "",
            MemoryLimitBytes = _process is { Cgroups.Count: > 0 } q ? CgroupV1.MemoryLimit(q.Cgroups) ?? 0 : 0,
        };
        lock (_lock)
        {
            if (_process is { Exited.IsCompleted: true } exited)
            {
                container.State = ContainerState.Exited;
                container.ExitCode = exited.Exited.Result;
            }
            else
            {
                container.State = _paused ? ContainerState.Paused : _initialized ? ContainerState.Running : ContainerState.Starting;
            }
        }

        return container;
    }

    /// <summary>Opens the endpoint, then starts the runtime process pointed at it.</summary>
    public async Task StartAsync(IInstanceRuntime runtime, string logDirectory, CancellationToken cancellationToken)
    {
        _endpoint = BuildEndpoint();
        await _endpoint.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _endpoint.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var authority = new Uri(address).Authority;
        InvokeUrl = $"http://{authority}/{_invokeSecret.Value}";

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // host:port/SECRET: runtimes build http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/..., so the secret leads every path.
            ["AWS_LAMBDA_RUNTIME_API"] = $"{authority}/{_runtimeSecret.Value}",
            ["AWS_LAMBDA_FUNCTION_NAME"] = _spec.Name,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = _spec.MemoryMb.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_FUNCTION_VERSION"] = string.IsNullOrEmpty(_spec.Version) ? "$LATEST" : _spec.Version,
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{_spec.Name}",
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = Id,
            ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
            ["AWS_EXECUTION_ENV"] = "AWS_Lambda_shoal",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["_HANDLER"] = _spec.Handler,
            ["LAMBDA_TASK_ROOT"] = _spec.CodeDirectory,
            ["LAMBDA_RUNTIME_DIR"] = _spec.CodeDirectory,
            ["TZ"] = ":UTC",
        };
        foreach (var (key, value) in _spec.Environment)
        {
            environment[key] = value;
        }

        var command = _spec.Command;
        var spec = new ProcessSpec
        {
            Name = $"{_spec.Name}/{Id}",
            FileName = command[0],
            Arguments = command.Skip(1).ToArray(),
            Environment = environment,
            Inherit = [.. _spec.InheritEnv],
            WorkingDirectory = _spec.CodeDirectory,
            LogFile = Path.Combine(logDirectory, CgroupV1.Sanitize(Id) + ".log"),
        };
        _startedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var process = await runtime.StartAsync(new InstanceLaunch(Id, spec, Math.Max(_spec.MemoryMb, 16) * 1024L * 1024L), cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _process = process;
        }

        Record = new InstanceRecord(Id, Function, Owner, process.Pid, process.StartTime, _startedAt, process.Cgroups);
        _ = WatchExitAsync(process);
        _ = EnforceInitDeadlineAsync();
    }

    /// <summary>Freezes the instance; an invocation that arrives while paused thaws it first.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            if (_process is null || _process.Exited.IsCompleted || _paused)
            {
                return;
            }

            _process.Pause();
            _paused = true;
        }
    }

    /// <summary>Thaws the instance.</summary>
    public void Resume()
    {
        lock (_lock)
        {
            if (_process is null || !_paused)
            {
                return;
            }

            _process.Resume();
            _paused = false;
        }
    }

    /// <summary>Stops the process and closes the endpoint.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.Destroyed", "The instance was destroyed.", instanceGone: true));
        if (_process is { } process)
        {
            await process.StopAsync(grace, CancellationToken.None).ConfigureAwait(false);
        }

        if (_endpoint is { } endpoint)
        {
            await endpoint.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_endpoint is { } endpoint)
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }

    private WebApplication BuildEndpoint()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxPayloadBytes + 1;
            k.Listen(System.Net.IPAddress.Loopback, 0);
        });
        builder.WebHost.UseSockets(s => s.UnsafePreferInlineScheduling = true);
        var app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var post = HttpMethods.IsPost(context.Request.Method);
        if (_invokeSecret.TryStrip(path, out var invokePath) && post && invokePath == InstanceInvokeHttp.Path)
        {
            return InvokeHttpAsync(context);
        }

        // Without the runtime's secret every path is one that does not exist: nothing tells a prober that a prefix would help.
        if (!_runtimeSecret.TryStrip(path, out path) || !path.StartsWith(RuntimePrefix, StringComparison.Ordinal))
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound", "No such path.");
        }

        var rest = path.AsSpan(RuntimePrefix.Length);
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

        var outcome = await InvokeAsync(requestId, body).ConfigureAwait(false);
        await WriteOutcomeAsync(context, outcome).ConfigureAwait(false);
    }

    /// <summary>
    /// Hands the event to the runtime and waits for its answer within the deadlines. An instance that is busy or has
    /// ended answers at once with a result marked not run.
    /// </summary>
    public async Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload)
    {
        var invocation = new Invocation(requestId, payload, TraceId());
        InvokeResult? immediate = null;
        TaskCompletionSource<Invocation>? waiter = null;
        var resume = false;
        lock (_lock)
        {
            if (_terminal is not null)
            {
                immediate = _terminal with { NotRun = true };
            }
            else if (_queued is not null || _running is not null)
            {
                immediate = InvokeResult.Error(InvokeResultKind.Crash, "ResourceConflictException", "The instance is busy with another invocation.", instanceGone: false, notRun: true);
            }
            else
            {
                resume = _paused;
                _paused = false;

                // Until the runtime takes the event the init deadline runs (a warm instance takes it at once); then the
                // timeout (see NextAsync). A runtime that answered once but never asks again counts as one that timed out.
                invocation.Deadline = _time.CreateTimer(static state => ((Deadline)state!).Expire(), new Deadline(this, invocation), _initTimeout + _timeout, Timeout.InfiniteTimeSpan);
                if (_nextWaiter is { } next)
                {
                    _nextWaiter = null;
                    _running = invocation;
                    waiter = next;
                }
                else
                {
                    _queued = invocation;
                }
            }
        }

        if (immediate is not null)
        {
            return immediate;
        }

        if (resume)
        {
            _process?.Resume();
        }

        // The runtime's waiting `next` answers on this thread (its continuation runs inline).
        waiter?.TrySetResult(invocation);
        var outcome = await invocation.Outcome.ConfigureAwait(false);

        // The runtime never took the event (it died or ended first), so another instance may run it.
        return invocation.WasHanded ? outcome : outcome with { NotRun = true };
    }

    /// <summary>An invocation's deadline: past it, the invocation fails with a timeout and the instance is killed.</summary>
    private sealed class Deadline(FunctionInstance instance, Invocation invocation)
    {
        public void Expire()
        {
            InvokeResult timedOut;
            if (invocation.WasHanded)
            {
                var seconds = instance._timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
                timedOut = InvokeResult.Error(InvokeResultKind.Timeout, "Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: Task timed out after {seconds} seconds", instanceGone: true);
                Log.TimedOut(instance._logger, instance.Function, instance.Id, invocation.RequestId);
            }
            else
            {
                timedOut = InvokeResult.Error(InvokeResultKind.Timeout, "Sandbox.Timedout", $"RequestId: {invocation.RequestId} Error: the runtime did not ask for the invocation in time", instanceGone: true);
            }

            instance.Fail(timedOut);
            _ = instance.KillAsync();
        }
    }

    /// <summary>The runtime's side: <c>GET next</c> blocks until an event arrives.</summary>
    private async Task NextAsync(HttpContext context)
    {
        Invocation invocation;
        TaskCompletionSource<Invocation>? waiter = null;
        var conflict = false;
        lock (_lock)
        {
            _initialized = true;
            if (_terminal is not null)
            {
                waiter = null;
                invocation = null!;
            }
            else if (_nextWaiter is not null)
            {
                // One event goes to one `next`: a second one waiting alongside would be handed the same event.
                conflict = true;
                invocation = null!;
            }
            else if (_queued is { } queued)
            {
                _queued = null;
                _running = queued;
                invocation = queued;
            }
            else
            {
                // A runtime asking again after its last answer: the previous invocation is over.
                // Completed by InvokeAsync outside its lock; the continuation below runs inline on that thread.
                waiter = _nextWaiter = new TaskCompletionSource<Invocation>();
                invocation = null!;
            }
        }

        if (conflict)
        {
            await WriteErrorAsync(context, StatusCodes.Status409Conflict, "Runtime.NextAlreadyWaiting", "Another invocation/next is already waiting for the next event.").ConfigureAwait(false);
            return;
        }

        if (invocation is null)
        {
            if (waiter is null)
            {
                await WriteErrorAsync(context, StatusCodes.Status410Gone, "Runtime.Terminated", "The instance is shutting down.").ConfigureAwait(false);
                return;
            }

            try
            {
                invocation = await waiter.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    if (_nextWaiter == waiter)
                    {
                        _nextWaiter = null;
                    }
                }

                // Handed over just as the runtime hung up: it will not answer; the invocation's timeout settles it.
                return;
            }
        }

        var deadline = _time.GetUtcNow() + _timeout;
        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = _arn;
        headers["Lambda-Runtime-Trace-Id"] = invocation.TraceId;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = invocation.Payload.Length;
        invocation.MarkHanded();
        invocation.Deadline?.Change(_timeout, Timeout.InfiniteTimeSpan);
        await context.Response.Body.WriteAsync(invocation.Payload).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context, string requestId, bool error)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false);
        if (body is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge", $"The response must be smaller than {MaxPayloadBytes} bytes.").ConfigureAwait(false);
            Fail(InvokeResult.Error(InvokeResultKind.HandlerError, "Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size.", instanceGone: false), requestId);
            return;
        }

        Invocation? invocation;
        lock (_lock)
        {
            invocation = _running?.RequestId == requestId ? _running : null;
            if (invocation is not null)
            {
                _running = null;
            }
        }

        if (invocation is null)
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
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"OK"}""").ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false) ?? [];
        if (body.Length == 0)
        {
            var type = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
            body = InvokeResult.ErrorDocument(string.IsNullOrEmpty(type) ? "Runtime.InitError" : type, "The runtime failed to initialize.");
        }

        Log.InitError(_logger, Function, Id);
        Fail(new InvokeResult(InvokeResultKind.InitError, body, InstanceGone: true));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"OK"}""").ConfigureAwait(false);

        // Lambda ends an environment whose init failed; the next invocation gets a fresh one.
        _ = KillAsync();
    }

    /// <summary>Ends the instance's life for invocations: the queued or running one gets <paramref name="outcome"/>, later ones too.</summary>
    private void Fail(InvokeResult outcome, string? onlyRequestId = null)
    {
        Invocation? queued, running;
        TaskCompletionSource<Invocation>? waiter = null;
        lock (_lock)
        {
            if (onlyRequestId is not null)
            {
                running = _running?.RequestId == onlyRequestId ? _running : null;
                _running = running is null ? _running : null;
                queued = null;
            }
            else
            {
                _terminal ??= outcome;
                queued = _queued;
                running = _running;
                waiter = _nextWaiter;
                _queued = null;
                _running = null;
                _nextWaiter = null;
            }
        }

        // Outside the lock: these complete continuations inline.
        waiter?.TrySetCanceled();
        queued?.TryComplete(outcome);
        running?.TryComplete(outcome);
    }

    private async Task WatchExitAsync(IInstanceProcess process)
    {
        var code = await process.Exited.ConfigureAwait(false);
        var status = code > 128 ? $"signal: {SignalName(code - 128)}" : $"exit status {code}";
        Log.Exited(_logger, Function, Id, code);
        Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.ExitError", $"RequestId: {_running?.RequestId ?? _queued?.RequestId ?? "-"} Error: Runtime exited with error: {status}", instanceGone: true));
    }

    private async Task EnforceInitDeadlineAsync()
    {
        try
        {
            await Task.Delay(_initTimeout, _time).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        bool late;
        lock (_lock)
        {
            late = !_initialized && _terminal is null;
        }

        if (late)
        {
            var seconds = _initTimeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
            Fail(InvokeResult.Error(InvokeResultKind.InitError, "Runtime.InitTimeout", $"Init timed out after {seconds} seconds: the runtime never asked for an invocation.", instanceGone: true));
            await KillAsync().ConfigureAwait(false);
        }
    }

    private async Task KillAsync()
    {
        try
        {
            if (_process is { } process)
            {
                await process.StopAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            Log.KillFailed(_logger, Id, ex.Message);
        }
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

    private static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(InvokeResult.ErrorDocument(type, message)).ConfigureAwait(false);
    }

    private string TraceId()
    {
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        var epoch = _time.GetUtcNow().ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        return $"Root=1-{epoch}-{Convert.ToHexStringLower(random[..12])};Parent={Convert.ToHexStringLower(random[12..])};Sampled=0";
    }

    private static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        11 => "segmentation fault",
        6 => "aborted",
        _ => $"signal {signal}",
    };

    private static partial class Log
    {
        [LoggerMessage(7101, LogLevel.Warning, "Function {Function} instance {Id}: invocation {RequestId} timed out; killing the instance")]
        public static partial void TimedOut(ILogger logger, string function, string id, string requestId);

        [LoggerMessage(7102, LogLevel.Warning, "Function {Function} instance {Id}: the runtime reported an init error")]
        public static partial void InitError(ILogger logger, string function, string id);

        [LoggerMessage(7103, LogLevel.Information, "Function {Function} instance {Id} exited with {Code}")]
        public static partial void Exited(ILogger logger, string function, string id, int code);

        [LoggerMessage(7104, LogLevel.Warning, "Instance {Id} could not be killed: {Reason}")]
        public static partial void KillFailed(ILogger logger, string id, string reason);
    }
}
