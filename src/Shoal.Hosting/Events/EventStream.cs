using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Shoal.Events;
using Shoal.Json;

namespace Shoal.Hosting.Events;

/// <summary>
/// One subscriber's view of the <see cref="PlatformEventBus"/>: the events after its cursor as SSE items (a
/// <c>stream.gap</c> first when some are gone), then new ones as they come, with a heartbeat while it is quiet.
/// </summary>
/// <param name="bus">The stream.</param>
/// <param name="filter">Which types the subscriber wants (null: all).</param>
/// <param name="time">Paces the heartbeats.</param>
/// <param name="heartbeatInterval">How long a quiet stream waits before a heartbeat.</param>
internal sealed class EventStream(PlatformEventBus bus, EventTypeFilter? filter, TimeProvider time, TimeSpan heartbeatInterval)
{
    private const int BatchSize = 256;

    /// <summary>
    /// The items after id <paramref name="after"/>; <paramref name="heartbeat"/> runs whenever the stream was quiet for
    /// the interval. It runs while the consumer waits for the next item, so it may write to the same response.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(long after, Func<CancellationToken, Task> heartbeat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = bus.Next;
            var batch = bus.Read(cursor, BatchSize);
            cursor = batch.Cursor;
            if (batch.Gap is { } gap)
            {
                yield return Item(batch.Events.Count > 0 ? batch.Events[0].Id - 1 : cursor, GapEvent(gap));
            }

            foreach (var sequenced in batch.Events)
            {
                if (filter is null || filter.Matches(sequenced.Event.Type))
                {
                    yield return Item(sequenced.Id, sequenced.Event);
                }
            }

            if (batch.Events.Count == BatchSize)
            {
                continue;
            }

            var beat = false;
            try
            {
                await next.WaitAsync(heartbeatInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                beat = true;
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            if (beat)
            {
                await heartbeat(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The event as the stream writes it: <c>id</c>, <c>event</c> and one line of snake_case JSON.</summary>
    public static SseItem<string> Item(long id, PlatformEvent platformEvent) =>
        new(JsonSerializer.Serialize(platformEvent, ShoalJson.Sparse), platformEvent.Type) { EventId = id.ToString(CultureInfo.InvariantCulture) };

    private PlatformEvent GapEvent(EventGap gap) => new()
    {
        Type = PlatformEventTypes.StreamGap,
        Time = time.GetUtcNow(),
        Message = gap.Reset
            ? $"event {gap.LastLost} is from an earlier run of the daemon; the stream restarted, re-read the state"
            : $"events {gap.FirstLost} to {gap.LastLost} are gone (the stream keeps the last {bus.Capacity}); re-read the state",
        Details = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["first_lost"] = gap.FirstLost,
            ["last_lost"] = gap.LastLost,
            ["reset"] = gap.Reset,
        },
    };
}
