using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Shoal.Samples.App.Events;
using StackExchange.Redis;

namespace Shoal.Samples.Tests.App.Events;

/// <summary>The publisher's outage log: one line when publishing fails, one when a publish goes through again.</summary>
public sealed class OutboxPublisherTests
{
    private static readonly TransferCompleted s_event = new("t1", "alice", "bob", 5, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task DrainOnce_EmptyDrainDuringAnOutage_IsNotARecovery()
    {
        // Two replicas share the outbox: while the other one holds every event's lease, this one's drain finds nothing and
        // never reaches Redis, which says nothing about whether Redis is back.
        var outbox = new ScriptedOutbox(Publishes(s_event), Publishes(), Publishes(s_event));
        var logger = new FakeLogger<OutboxPublisher>();
        var publisher = Publisher(outbox, logger);

        for (var i = 0; i < 3; i++)
        {
            await publisher.DrainOnceAsync((_, _) => throw new RedisException("No connection is active"), CancellationToken.None);
        }

        Assert.Equal(["Events: cannot publish to stream transfers (No connection is active); transfers go on, their events wait in the outbox"], Messages(logger));
    }

    [Fact]
    public async Task DrainOnce_PublishGoesThroughAfterAnOutage_LogsTheRecoveryOnce()
    {
        var outbox = new ScriptedOutbox(Publishes(s_event), Publishes(s_event), Publishes(s_event));
        var logger = new FakeLogger<OutboxPublisher>();
        var publisher = Publisher(outbox, logger);
        var published = new List<TransferCompleted>();

        await publisher.DrainOnceAsync((_, _) => throw new TimeoutException("Redis is away"), CancellationToken.None);
        await publisher.DrainOnceAsync((events, _) => { published.AddRange(events); return Task.CompletedTask; }, CancellationToken.None);
        await publisher.DrainOnceAsync((events, _) => { published.AddRange(events); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(2, published.Count);
        Assert.Equal(
            ["Events: cannot publish to stream transfers (Redis is away); transfers go on, their events wait in the outbox", "Events: publishing to stream transfers again"],
            Messages(logger));
    }

    private static OutboxPublisher Publisher(IOutbox outbox, ILogger<OutboxPublisher> logger) =>
        new(outbox, new EventSettings(new ConfigurationOptions(), "transfers", TimeSpan.FromSeconds(30)), TimeProvider.System, logger);

    private static string[] Messages(FakeLogger<OutboxPublisher> logger) => [.. logger.Collector.GetSnapshot().Select(r => r.Message)];

    private static TransferCompleted[] Publishes(params TransferCompleted[] events) => events;

    /// <summary>Each drain (a call that hands events over, then one that finds nothing) takes the next batch of the script.</summary>
    private sealed class ScriptedOutbox(params TransferCompleted[][] batches) : IOutbox
    {
        private readonly Queue<TransferCompleted[]> _batches = new(batches);
        private bool _handedOver;

        public async Task<int> DrainAsync(int max, Func<IReadOnlyList<TransferCompleted>, CancellationToken, Task> publish, CancellationToken cancellationToken)
        {
            // After a batch went through, the next call of the same drain finds the outbox empty.
            if (_handedOver)
            {
                _handedOver = false;
                return 0;
            }

            var batch = _batches.Dequeue();
            if (batch.Length == 0)
            {
                return 0;
            }

            await publish(batch, cancellationToken);
            _handedOver = true;
            return batch.Length;
        }
    }
}
