using System.Data.Common;
using System.Threading.Channels;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>
/// Moves events from the outbox to the Redis stream (<c>XADD</c>). A transfer commits its event with its balances, so a
/// crash or a Redis outage never loses one: the outbox keeps it until an <c>XADD</c> succeeded. A crash between the
/// <c>XADD</c> and the outbox delete publishes it twice; consumers drop the copy by its transfer id. Every
/// <see cref="EventSettings.TrimInterval"/> it also cuts the entries every consumer group is done with
/// (<see cref="StreamTrim"/>), so the stream holds what is still to be read, not every transfer ever made.
/// </summary>
internal sealed class OutboxPublisher(IOutbox outbox, EventSettings settings, TimeProvider time, ILogger<OutboxPublisher> logger) : BackgroundService
{
    private const int BatchSize = 100;

    // Wakes the loop after a local commit; the poll picks up what other replicas left and retries after failures.
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

    private bool _failing;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a drain now (a transfer just committed its event).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connects in the background when Redis is down (AbortOnConnectFail off); commands fail fast until it is back.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(settings.Redis);
        var database = connection.GetDatabase();
        var lastTrim = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            await DrainOnceAsync((events, _) => PublishAsync(database, events), stoppingToken);
            if (time.GetElapsedTime(lastTrim) >= settings.TrimInterval)
            {
                lastTrim = time.GetTimestamp();
                await TrimOnceAsync(() => StreamTrim.TrimAsync(database, settings.Stream));
            }

            using var poll = new CancellationTokenSource(s_pollInterval, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, poll.Token);
            try
            {
                await _wake.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Drains the outbox until it is empty, and logs when publishing starts or stops failing.</summary>
    internal async Task DrainOnceAsync(Func<IReadOnlyList<TransferCompleted>, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        try
        {
            var published = 0;
            int drained;
            while ((drained = await outbox.DrainAsync(BatchSize, publish, cancellationToken)) > 0)
            {
                published += drained;
            }

            // Only a publish that went through says Redis is back: an empty drain (nothing waiting, or every event leased
            // by another replica that is failing too) never called it.
            if (_failing && published > 0)
            {
                _failing = false;
                Log.PublishRecovered(logger, settings.Stream);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or DbException)
        {
            if (!_failing)
            {
                _failing = true;
                // StackExchange.Redis appends its whole connection state after the first ';'.
                Log.PublishFailing(logger, settings.Stream, ex.Message.Split(';', 2)[0]);
            }
        }
    }

    /// <summary>
    /// One trim. A failed one loses nothing (the entries stay until the next): it is not logged on its own, as an outage
    /// is already logged by the publish that fails with it.
    /// </summary>
    internal async Task TrimOnceAsync(Func<Task<long>> trim)
    {
        try
        {
            var removed = await trim();
            if (removed > 0)
            {
                Log.Trimmed(logger, settings.Stream, removed);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
        }
    }

    private Task PublishAsync(IDatabase database, IReadOnlyList<TransferCompleted> events) =>
        // Pipelined on one connection: the entries keep the outbox's order.
        Task.WhenAll(events.Select(e => database.StreamAddAsync(settings.Stream, e.ToStreamFields())));
}
