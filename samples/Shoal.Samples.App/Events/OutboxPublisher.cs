using System.Data.Common;
using System.Threading.Channels;
using StackExchange.Redis;

namespace Shoal.Samples.App.Events;

/// <summary>
/// Moves events from the outbox to the Redis stream (<c>XADD</c>). A transfer commits its event with its balances, so a
/// crash or a Redis outage never loses one: the outbox keeps it until an <c>XADD</c> succeeded. A crash between the
/// <c>XADD</c> and the outbox delete publishes it twice; consumers drop the copy by its transfer id.
/// </summary>
internal sealed class OutboxPublisher(IOutbox outbox, EventSettings settings, TimeProvider time, ILogger<OutboxPublisher> logger) : BackgroundService
{
    private const int BatchSize = 100;

    // Wakes the loop after a local commit; the poll picks up what other replicas left and retries after failures.
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a drain now (a transfer just committed its event).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connects in the background when Redis is down (AbortOnConnectFail off); commands fail fast until it is back.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(settings.Redis);
        var database = connection.GetDatabase();
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await outbox.DrainAsync(BatchSize, (events, _) => PublishAsync(database, events), stoppingToken) > 0)
                {
                }

                if (failing)
                {
                    failing = false;
                    Log.PublishRecovered(logger, settings.Stream);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or DbException)
            {
                if (!failing)
                {
                    failing = true;
                    // StackExchange.Redis appends its whole connection state after the first ';'.
                    Log.PublishFailing(logger, settings.Stream, ex.Message.Split(';', 2)[0]);
                }
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

    private Task PublishAsync(IDatabase database, IReadOnlyList<TransferCompleted> events) =>
        // Pipelined on one connection: the entries keep the outbox's order.
        Task.WhenAll(events.Select(e => database.StreamAddAsync(settings.Stream, e.ToStreamFields())));
}
