using System.Globalization;
using Microsoft.Extensions.Logging;
using Shoal.Functions.Agent.Protocol;
using Shoal.Processes;
using Shoal.Processes.Networking;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// One function instance's life: its endpoint (<see cref="RuntimeApiEndpoint"/>) opened first, then its runtime process
/// started through the agent's <see cref="IProcessRuntime"/> and pointed at it; pause, resume and stop; and the init
/// deadline and the process's exit, which end it for invocations. It holds one invocation at a time, as Lambda does
/// (<see cref="InvocationSlot"/>); a gateway in this process calls <see cref="InvokeAsync"/> directly.
/// </summary>
internal sealed partial class FunctionInstance : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FunctionConfiguration _function;
    private readonly TimeSpan _initTimeout;
    private readonly InvocationSlot _slot;
    private readonly RuntimeApiEndpoint _endpoint;
    private readonly RuntimeApiListeners? _ownListeners;
    private readonly ITimer? _freezeTimer;
    private IProcessHandle? _process;
    private NetworkLease? _lease;
    private ProcessUser? _user;
    private long _startedAt;
    private int _oomKilled;

    /// <summary>Creates the instance; its endpoint goes on <paramref name="listeners"/> (the agent's, shared by its instances), else on listeners of its own.</summary>
    public FunctionInstance(string id, string owner, FunctionConfiguration function, TimeProvider time, ILogger logger, RuntimeApiListeners? listeners = null)
    {
        Id = id;
        Owner = owner;
        _function = function;
        _time = time;
        _logger = logger;
        var timeout = TimeSpan.FromMilliseconds(function.TimeoutMs > 0 ? function.TimeoutMs : 3000);
        _initTimeout = TimeSpan.FromMilliseconds(function.InitTimeoutMs > 0 ? function.InitTimeoutMs : 10_000);
        if (function.FreezeWhenIdle)
        {
            _freezeTimer = time.CreateTimer(static state => ((FunctionInstance)state!).FreezeIfIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _slot = new InvocationSlot(timeout, _initTimeout, time, thaw: () => _process?.Resume(), deadlinePassed: DeadlinePassed)
        {
            TurnedIdle = TurnedIdle,
            Handed = requestId => _report?.Handed(requestId),
        };
        var region = function.Environment.TryGetValue("AWS_REGION", out var r) ? r : "us-east-1";
        var arn = $"arn:aws:lambda:{region}:000000000000:function:{function.Name}";
        _ownListeners = listeners is null ? new RuntimeApiListeners() : null;
        _endpoint = new RuntimeApiEndpoint(_slot, InvokeAsync, InitFailed, arn, time, listeners ?? _ownListeners!);
    }

    /// <summary>How long an instance of an <c>idle: freeze</c> function waits in <c>next</c> before it is frozen: long enough that a steady stream of invocations does not freeze and thaw it between each.</summary>
    public static readonly TimeSpan FreezeDelay = TimeSpan.FromMilliseconds(100);

    public string Id { get; }

    public string Owner { get; }

    public string Function => _function.Name;

    /// <summary>Where invocations go, e.g. <c>http://127.0.0.1:41234/SECRET</c>: the secret is part of it, so only the agent and whom it tells can invoke.</summary>
    public string InvokeUrl => _endpoint.InvokeUrl;

    /// <summary>The process record, once started.</summary>
    public InstanceRecord? Record { get; private set; }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _process?.Exited ?? Task.CompletedTask;

    /// <summary>The instance as the agent's API describes it.</summary>
    public InstanceInfo Describe()
    {
        var process = _process;
        var (initialized, paused) = _slot.Snapshot();
        var exited = process is { Exited.IsCompleted: true };
        var usage = process is null || exited ? null : InstanceUsage.Read(process);
        var state = exited ? InstanceState.Exited : paused ? InstanceState.Paused : initialized ? InstanceState.Running : InstanceState.Starting;
        return new InstanceInfo(Id, Function, Owner, state)
        {
            InvokeUrl = InvokeUrl,
            Pid = process?.Pid ?? 0,
            StartedAtUnixMs = _startedAt,
            Cgroup = process is { Cgroups.Count: > 0 } p ? p.Cgroups[0] : "",
            MemoryLimitBytes = process is { Cgroups.Count: > 0 } q ? CgroupV1.MemoryLimit(q.Cgroups) ?? 0 : 0,
            ExitCode = exited ? process!.Exited.Result : 0,
            Runtime = RuntimeNames.Of(_function.Runtime),
            User = _user?.Name ?? "",
            CpuLimit = _function.Cpus ?? 0,
            PidsLimit = process is null ? 0 : _function.MaxProcesses ?? FunctionConfiguration.DefaultMaxProcesses,
            Usage = usage,
            OomKills = Math.Max(usage?.OomKills ?? 0, Volatile.Read(ref _oomKilled)),
            OomKilled = Volatile.Read(ref _oomKilled) == 1,
        };
    }

    /// <summary>Opens the endpoint, then starts the runtime process pointed at it.</summary>
    public Task StartAsync(IProcessRuntime runtime, string logDirectory, CancellationToken cancellationToken) =>
        StartAsync(runtime, logDirectory, user: null, _function.CodeDirectory, cancellationToken);

    /// <summary>Opens the endpoint, then starts the runtime process pointed at it, as <paramref name="user"/> (null for the agent's own) in <paramref name="codeDirectory"/> (the code, or a copy <paramref name="user"/> can read).</summary>
    public async Task StartAsync(IProcessRuntime runtime, string logDirectory, ProcessUser? user, string codeDirectory, CancellationToken cancellationToken)
    {
        _user = user;
        _lease = _function.Network == NetworkMode.Isolated ? BridgeNetwork.Shared.Acquire() : null;
        await _endpoint.StartAsync(_lease?.HostAddress, cancellationToken).ConfigureAwait(false);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_RUNTIME_API"] = _endpoint.RuntimeApi,
            ["AWS_LAMBDA_FUNCTION_NAME"] = _function.Name,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = _function.MemoryMb.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_FUNCTION_VERSION"] = string.IsNullOrEmpty(_function.Version) ? "$LATEST" : _function.Version,
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{_function.Name}",
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = Id,
            ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
            ["AWS_EXECUTION_ENV"] = "AWS_Lambda_shoal",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["_HANDLER"] = _function.Handler,
            ["LAMBDA_TASK_ROOT"] = codeDirectory,
            ["LAMBDA_RUNTIME_DIR"] = codeDirectory,
            ["TZ"] = ":UTC",
        };
        if (user is not null)
        {
            // The daemon's HOME (/root) is not the function's: as on Lambda, /tmp is the one place it may write.
            environment["HOME"] = "/tmp";
            environment["DOTNET_CLI_HOME"] = "/tmp";
        }

        foreach (var (key, value) in _function.Environment)
        {
            environment[key] = value;
        }

        var command = _function.Command;
        var spec = new ProcessSpec
        {
            Name = $"{_function.Name}/{Id}",
            InstanceId = Id,
            FileName = command[0],
            Arguments = command.Skip(1).ToArray(),
            Environment = environment,
            Inherit = [.. _function.InheritEnv],
            WorkingDirectory = codeDirectory,
            LogFile = Path.Combine(logDirectory, CgroupV1.Sanitize(Id) + ".log"),
            Limits = new ResourceLimits(Math.Max(_function.MemoryMb, 16) * 1024L * 1024L, _function.Cpus, _function.MaxProcesses ?? FunctionConfiguration.DefaultMaxProcesses),
            User = user,

            // The code is read-only, as Lambda's /var/task: only /tmp is the function's to write.
            Isolation = new IsolationOptions { Image = _function.Image, Network = _function.Network, Lease = _lease, ReadOnlyWorkingDirectory = true },
        };
        _startedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _report = new InvocationReport(spec.LogFile, _time, _function.MemoryMb, _function.Version);
        var process = await runtime.StartAsync(spec, cancellationToken).ConfigureAwait(false);
        _memory = new InstanceMemory(process);
        Volatile.Write(ref _process, process);
        Record = new InstanceRecord(Id, Function, Owner, process.Pid, process.StartTime, _startedAt, process.Cgroups);
        _ = WatchExitAsync(process);
        _ = EnforceInitDeadlineAsync();
    }

    /// <summary>Freezes the instance; an invocation that arrives while paused thaws it first.</summary>
    public void Pause() => _slot.Pause(() =>
    {
        if (_process is not { Exited.IsCompleted: false } process)
        {
            return false;
        }

        process.Pause();
        return true;
    });

    /// <summary>Thaws the instance.</summary>
    public void Resume() => _slot.Resume(() => _process?.Resume());

    /// <summary>Hands the event to the runtime and waits for its answer within the deadlines (see <see cref="InvocationSlot.InvokeAsync"/>).</summary>
    public Task<InvokeResult> InvokeAsync(string requestId, ReadOnlyMemory<byte> payload, string? traceParent = null) => ReportAsync(requestId, _slot.InvokeAsync(requestId, payload, traceParent));

    /// <summary>Stops the process and closes the endpoint.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _slot.Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.Destroyed", "The instance was destroyed.", instanceGone: true));
        if (_process is { } process)
        {
            await process.StopAsync(grace, CancellationToken.None).ConfigureAwait(false);
        }

        await _endpoint.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _freezeTimer?.Dispose();
        _report?.Dispose();
        _memory?.Dispose();
        if (_process is { } process)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        await _endpoint.DisposeAsync().ConfigureAwait(false);
        if (_ownListeners is not null)
        {
            await _ownListeners.DisposeAsync().ConfigureAwait(false);
        }

        _lease?.Dispose();
    }

    /// <summary>Freezes the instance if its runtime still waits in <c>next</c> with nothing to do.</summary>
    private void FreezeIfIdle()
    {
        try
        {
            if (_slot.PauseIfIdle(() => _process is { Exited.IsCompleted: false } process && Freeze(process)))
            {
                Log.Frozen(_logger, Function, Id);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.FreezeFailed(_logger, Id, ex.Message);
        }
    }

    private static bool Freeze(IProcessHandle process)
    {
        process.Pause();
        return true;
    }

    private void DeadlinePassed(Invocation invocation)
    {
        if (invocation.WasHanded)
        {
            Log.TimedOut(_logger, Function, Id, invocation.RequestId);
        }

        _ = KillAsync();
    }

    private void InitFailed()
    {
        Log.InitError(_logger, Function, Id);
        _ = KillAsync();
    }

    private async Task WatchExitAsync(IProcessHandle process)
    {
        var code = await process.Exited.ConfigureAwait(false);
        _freezeTimer?.Dispose();
        var status = code > 128 ? $"signal: {SignalName(code - 128)}" : $"exit status {code}";
        if (InstanceUsage.WasOomKilled(process))
        {
            // Lambda's own error type for a function killed at its memory size, so callers and logs tell it from a crash.
            Volatile.Write(ref _oomKilled, 1);
            Log.OutOfMemory(_logger, Function, Id, _function.MemoryMb);
            _slot.Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.OutOfMemory", $"RequestId: {_slot.CurrentRequestId ?? "-"} Error: Runtime exited with error: {status} (out of memory: the function reached its memory size of {_function.MemoryMb} MB)", instanceGone: true));
            return;
        }

        Log.Exited(_logger, Function, Id, code);
        _slot.Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.ExitError", $"RequestId: {_slot.CurrentRequestId ?? "-"} Error: Runtime exited with error: {status}", instanceGone: true));
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

        if (_slot.AwaitingInit)
        {
            var seconds = _initTimeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
            _slot.Fail(InvokeResult.Error(InvokeResultKind.InitError, "Runtime.InitTimeout", $"Init timed out after {seconds} seconds: the runtime never asked for an invocation.", instanceGone: true));
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

        [LoggerMessage(7105, LogLevel.Warning, "Function {Function} instance {Id} was killed at its memory size ({MemoryMb} MB): out of memory")]
        public static partial void OutOfMemory(ILogger logger, string function, string id, int memoryMb);

        [LoggerMessage(7106, LogLevel.Debug, "Function {Function} instance {Id} is idle: frozen")]
        public static partial void Frozen(ILogger logger, string function, string id);

        [LoggerMessage(7107, LogLevel.Warning, "Instance {Id} could not be frozen: {Reason}")]
        public static partial void FreezeFailed(ILogger logger, string id, string reason);
    }
}
