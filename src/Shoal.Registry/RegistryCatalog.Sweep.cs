namespace Shoal.Registry;

/// <summary>
/// Applying TTLs in stores that do not expire them themselves. The sweep runs when the store says the next TTL runs out,
/// or soon after a write that may have brought that forward (a registration, a heartbeat that ends an expiry), at most
/// once per <see cref="SweepInterval"/>: an idle registry whose replicas heartbeat is swept every few seconds, not five
/// times a second.
/// </summary>
public sealed partial class RegistryCatalog
{
    // Released by a write that may bring the next expiry forward; at most one wake waits.
    private readonly SemaphoreSlim _sweepSoon = new(0, 1);
    private long _sweeps;

    /// <summary>How many sweeps have run; internal for tests.</summary>
    internal long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>Wakes the sweeper: a write may have brought the next expiry forward.</summary>
    private void SweepSoon()
    {
        if (_sweepSoon.CurrentCount == 0)
        {
            try
            {
                _sweepSoon.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken already.
            }
            catch (ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }

    /// <summary>True for the index of a heartbeat that made an event: it ended an expiry, so the TTL runs again from now.</summary>
    private static bool EndedAnExpiry(long? heartbeatIndex) => heartbeatIndex > 0;

    /// <summary>
    /// Waits until the catalog shows the write at <paramref name="index"/>, then wakes the sweeper when <paramref name="wake"/>
    /// (also when the wait is given up: the write is in the store either way). Not before: the sweep is a write of its
    /// own, and woken by every registration while it was on its way to the catalog, it made the SQLite store's
    /// propagation p99 1.7-2 x worse (bench/registry.sh).
    /// </summary>
    private async Task WaitForIndexThenSweepAsync(long index, bool wake, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForIndexAsync(index, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (wake)
            {
                SweepSoon();
            }
        }
    }

    private async Task SweepAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            TimeSpan? next;
            try
            {
                Interlocked.Increment(ref _sweeps);
                next = await _store.SweepAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.SweepFailed(_logger, ex.Message);
                next = TimeSpan.Zero;
            }

            try
            {
                await WaitForSweepAsync(next, token).ConfigureAwait(false);

                // At most one sweep per interval, however often writes wake the sweeper.
                var since = _time.GetElapsedTime(started);
                if (since < SweepInterval)
                {
                    await Task.Delay(SweepInterval - since, _time, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Until <paramref name="next"/> has passed (null: forever) or a write wakes the sweeper.</summary>
    private async Task WaitForSweepAsync(TimeSpan? next, CancellationToken token)
    {
        if (next is { } due && due <= TimeSpan.Zero)
        {
            return;
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(token);
        var woken = _sweepSoon.WaitAsync(either.Token);
        var elapsed = Task.Delay(next ?? Timeout.InfiniteTimeSpan, _time, either.Token);
        await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }
}
