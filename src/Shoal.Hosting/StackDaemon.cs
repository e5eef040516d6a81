using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.State;
using Shoal.Processes;
using Shoal.Resilience;

namespace Shoal.Hosting;

/// <summary>
/// Runs a stack in this process: gateway, admin API, supervisor and functions, until a signal or the admin API says
/// stop. This is the lifecycle — lock, start in order, wait, stop in order; <see cref="StackComposition"/> puts the
/// features together and <see cref="DeploymentResume"/> takes over what the last run's deployments promoted.
/// </summary>
public sealed partial class StackDaemon(PreparedStack prepared)
{
    // A `down` or `ps` probing the lock holds it for an instant: ten more tries, 20 ms apart.
    private static readonly Polly.ResiliencePipeline<DaemonLock?> s_lockRetry =
        Retry.Create<DaemonLock?>(new RetrySchedule(10, TimeSpan.FromMilliseconds(20)), o => o.Result is null, TimeProvider.System);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _stopped = new();

    /// <summary>Completes when shutdown has been asked for.</summary>
    public CancellationToken Stopping => _shutdown.Token;

    /// <summary>Starts everything; then waits for the stop signal and stops everything in order.</summary>
    /// <param name="started">Called once the listeners are up and the services are starting; its token is cancelled once every replica has stopped.</param>
    /// <returns>The process's exit code.</returns>
    public async Task<int> RunAsync(Func<StackSupervisor, CancellationToken, Task>? started)
    {
        var stack = prepared.Loaded.Stack;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        using var loggers = LoggerFactory.Create(DaemonLogging.Configure);
        var logger = loggers.CreateLogger("Shoal");

        // One daemon per stack directory, held by the kernel until this process ends, however it ends.
        using var daemonLock = await AcquireLockAsync(stack.StateDirectory).ConfigureAwait(false);
        if (daemonLock is null)
        {
            var holder = DaemonLock.FindHolder(stack.StateDirectory);
            await Console.Error.WriteLineAsync($"error: stack '{stack.Name}' is already running ({(holder?.Pid is { } pid ? $"pid {pid}" : "a process")} holds {DaemonLock.PathIn(stack.StateDirectory)}); 'shoal down' stops it.").ConfigureAwait(false);
            return 1;
        }

        DaemonFiles.SecureStateDirectory(stack.StateDirectory);
        var replicaScope = ProcessScope.ForStateDirectory(stack.StateDirectory);
        StackCleanup.RemoveLeftovers(stack, replicaScope);
        DaemonFiles.KeepPreviousLogs(Path.Combine(stack.StateDirectory, "logs"));
        DaemonFiles.KeepPreviousLogs(Path.Combine(stack.StateDirectory, "agent", "logs"));
        var composed = await StackComposition.ComposeAsync(prepared, replicaScope, loggers, () => _shutdown.Cancel()).ConfigureAwait(false);
        if (composed is null)
        {
            return 1;
        }

        await using (composed.ConfigureAwait(false))
        {
            return await RunComposedAsync(composed, logger, started).ConfigureAwait(false);
        }
    }

    private async Task<int> RunComposedAsync(StackComposition composed, ILogger logger, Func<StackSupervisor, CancellationToken, Task>? started)
    {
        var stack = prepared.Loaded.Stack;
        if (!await TryStartAsync(composed.Gateway, "gateway", stack.Gateway.Listen, logger).ConfigureAwait(false)
            || !await TryStartAsync(composed.Admin, "admin API", stack.Gateway.Admin, logger).ConfigureAwait(false))
        {
            await composed.Gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
            AdminSocket.Remove(composed.Socket);
            File.Delete(AdminTokenFile.PathIn(stack.StateDirectory));
            return 1;
        }

        if (composed.Socket is not null)
        {
            AdminSocket.Protect(composed.Socket);
        }

        var supervisor = composed.Supervisor;
        var state = new StackStateWriter(stack, supervisor);
        state.Start();
        supervisor.Start();
        composed.Functions?.Start();
        await composed.Deployments.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
        var ui = started is null ? Task.CompletedTask : started(supervisor, _stopped.Token);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_shutdown.Token.Register(() => stopRequested.TrySetResult()))
        {
            await stopRequested.Task.ConfigureAwait(false);
        }

        // Dependents first: deployments, then the replicas (drained by the gateway), then functions, then the listeners.
        Log.Stopping(logger, stack.Name);
        await composed.Deployments.DisposeAsync().ConfigureAwait(false);
        await supervisor.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (composed.Functions is not null)
        {
            await composed.Functions.DisposeAsync().ConfigureAwait(false);
        }

        await _stopped.CancelAsync().ConfigureAwait(false);
        await ui.ConfigureAwait(false);
        await composed.Gateway.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await composed.Admin.StopAsync(CancellationToken.None).ConfigureAwait(false);
        AdminSocket.Remove(composed.Socket);
        File.Delete(AdminTokenFile.PathIn(stack.StateDirectory));
        state.Stop();
        Log.Stopped(logger, stack.Name);
        return 0;
    }

    /// <summary>Takes the daemon lock; a <c>down</c> or <c>ps</c> that probes it at this moment holds it for an instant, so try a few times.</summary>
    private static async Task<DaemonLock?> AcquireLockAsync(string stateDirectory) =>
        await s_lockRetry.ExecuteAsync(_ => ValueTask.FromResult(DaemonLock.TryAcquire(stateDirectory))).ConfigureAwait(false);

    private void OnSignal(PosixSignalContext context)
    {
        // Shoal stops its children itself, dependents first and drained: keep the runtime from exiting now.
        context.Cancel = true;
        _shutdown.Cancel();
    }

    private static async Task<bool> TryStartAsync(WebApplication app, string what, Uri url, ILogger logger)
    {
        try
        {
            await app.StartAsync().ConfigureAwait(false);
            return true;
        }
        catch (IOException ex)
        {
            Log.CannotListen(logger, what, url, ex.Message);
            await Console.Error.WriteLineAsync($"error: the {what} cannot listen on {url}: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Information, "Stopping stack {Stack}")]
        public static partial void Stopping(ILogger logger, string stack);

        [LoggerMessage(9002, LogLevel.Information, "Stack {Stack} stopped")]
        public static partial void Stopped(ILogger logger, string stack);

        [LoggerMessage(9003, LogLevel.Error, "The {What} cannot listen on {Url}: {Reason}")]
        public static partial void CannotListen(ILogger logger, string what, Uri url, string reason);
    }
}
