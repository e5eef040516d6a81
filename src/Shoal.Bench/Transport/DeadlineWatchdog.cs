namespace Shoal.Bench.Transport;

/// <summary>
/// Enforces request timeouts for many connections with one timer: each connection publishes the timestamp its current
/// request must finish by, and the watchdog aborts the ones past it. A timer and a token registration per request would
/// cost more than the request itself.
/// </summary>
internal sealed class DeadlineWatchdog : IAsyncDisposable
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(10);
    private readonly List<IDeadlined> _watched = [];
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public DeadlineWatchdog(TimeProvider time)
    {
        _time = time;
        _loop = Task.Run(LoopAsync);
    }

    public void Watch(IDeadlined connection)
    {
        lock (_watched)
        {
            _watched.Add(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(s_period, _time, _stop.Token).ConfigureAwait(false);
                var now = _time.GetTimestamp();
                lock (_watched)
                {
                    foreach (var connection in _watched)
                    {
                        var deadline = connection.Deadline;
                        if (deadline != 0 && now > deadline)
                        {
                            connection.Expire(deadline);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
