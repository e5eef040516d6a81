namespace Shoal.Registry;

/// <summary>
/// Applying TTLs in stores that do not expire them themselves. The sweep runs when the next TTL runs out: the store
/// says when after each sweep, and every change the catalog applies that starts a TTL (a registration, a heartbeat that
/// ends an expiry) brings that moment forward to its own TTL, without asking the store. At most once per
/// <see cref="SweepInterval"/>: an idle registry whose replicas heartbeat is swept every few seconds, not five times a second.
/// </summary>
public sealed partial class RegistryCatalog
{
    // Released when the due time moved forward: the sweeper works out its wait again. At most one release waits.
    private readonly SemaphoreSlim _sweepSoon = new(0, 1);
    private readonly Lock _sweepLock = new();
    private DateTimeOffset _sweepDue = DateTimeOffset.MinValue;
    private long _sweeps;

    /// <summary>How many sweeps have run; internal for tests.</summary>
    internal long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>The longest single wait of the sweeper; it looks at the due time again after it.</summary>
    private static readonly TimeSpan s_longestWait = TimeSpan.FromDays(1);

    /// <summary>
    /// Brings the next sweep forward to <paramref name="due"/> when that is earlier than the one planned. Called for each
    /// change the catalog applies, so it also counts the writes this process did not make.
    /// </summary>
    private void SweepBy(DateTimeOffset due)
    {
        lock (_sweepLock)
        {
            if (due >= _sweepDue)
            {
                return;
            }

            _sweepDue = due;
        }

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

    /// <summary>
    /// When an applied entry's TTL runs out (from now: its heartbeat was at most now), or null when it has none running.
    /// At most a day ahead (<see cref="Ahead"/>): the API takes no longer TTL, and one from a store written otherwise may
    /// be beyond the calendar; the sweep then asks the store again.
    /// </summary>
    private DateTimeOffset? ExpiryOf(RegistryEvent change) =>
        change.Kind != RegistryEventKind.Deregistered && !change.Entry.Expired && change.Entry.Registration.Ttl is { } ttl
            ? Ahead(ttl)
            : null;

    /// <summary>Now plus <paramref name="span"/>, or plus a day when that is longer.</summary>
    private DateTimeOffset Ahead(TimeSpan span) => _time.GetUtcNow() + (span < s_longestWait ? span : s_longestWait);

    private async Task SweepAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            TimeSpan? next;
            try
            {
                // What changes from here on brings the next sweep forward itself; what was in the store before, this
                // sweep's answer covers.
                lock (_sweepLock)
                {
                    _sweepDue = DateTimeOffset.MaxValue;
                }

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

            if (next is { } left)
            {
                SweepBy(Ahead(left));
            }

            try
            {
                await WaitUntilDueAsync(token).ConfigureAwait(false);

                // At most one sweep per interval, however close together the TTLs run out.
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

    /// <summary>Until the due time has passed; a change that brings it forward shortens the wait.</summary>
    private async Task WaitUntilDueAsync(CancellationToken token)
    {
        while (true)
        {
            DateTimeOffset due;
            lock (_sweepLock)
            {
                due = _sweepDue;
            }

            var left = due - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(token);
            var woken = _sweepSoon.WaitAsync(either.Token);
            var elapsed = Task.Delay(left > s_longestWait ? s_longestWait : left, _time, either.Token);
            await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
            await either.CancelAsync().ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
        }
    }
}
