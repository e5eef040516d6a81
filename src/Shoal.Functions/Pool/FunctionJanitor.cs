using Microsoft.Extensions.Logging;

namespace Shoal.Functions.Pool;

/// <summary>
/// Sweeps the pools on a period: retires idle and old instances, keeps <c>min_warm</c> started, and destroys the
/// instances the agent lists for this owner that no pool holds (left by a gateway that was killed, or by a start whose
/// caller gave up).
/// </summary>
public sealed partial class FunctionJanitor(IReadOnlyList<FunctionPool> pools, IFunctionAgent agent, string owner, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Where the agent's report of paused instances goes, or null (set by the host).</summary>
    internal Telemetry.FunctionMetrics? Metrics { get; init; }

    /// <summary>Passes made so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    private long _passes;

    /// <summary>Starts sweeping every <paramref name="interval"/>, the first pass at once.</summary>
    public void Start(TimeSpan interval) => _loop ??= RunAsync(interval, _stop.Token);

    /// <summary>One pass.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, AgentInstance>? reported = null;
        try
        {
            reported = (await agent.ListAsync(owner, cancellationToken).ConfigureAwait(false)).ToDictionary(i => i.Id, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogAgentUnavailable(ex.Message);
        }

        Metrics?.OnAgentReport(reported?.Values);
        foreach (var pool in pools)
        {
            await pool.SweepAsync(reported, cancellationToken).ConfigureAwait(false);
        }

        if (reported is not null)
        {
            foreach (var instance in reported.Values)
            {
                if (!pools.Any(p => p.Owns(instance.Id)))
                {
                    LogOrphan(instance.Id, instance.Function, instance.State.ToString());
                    try
                    {
                        await agent.DestroyAsync(instance.Id, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                    {
                        LogAgentUnavailable(ex.Message);
                    }
                }
            }
        }

        Interlocked.Increment(ref _passes);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await SweepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPassFailed(ex.Message);
            }
        }
        while (await NextTickAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(7301, LogLevel.Warning, "Janitor: destroying instance {Id} of {Function} ({State}), which no pool holds")]
    private partial void LogOrphan(string id, string function, string state);

    [LoggerMessage(7302, LogLevel.Warning, "Janitor: the agent cannot be asked: {Reason}")]
    private partial void LogAgentUnavailable(string reason);

    [LoggerMessage(7303, LogLevel.Error, "Janitor: a pass failed: {Reason}")]
    private partial void LogPassFailed(string reason);
}
