using Shoal.Events;
using Shoal.Utilities;

namespace Shoal.Hosting.Events;

/// <summary>
/// The daemon's event stream: a ring of the last <see cref="Capacity"/> events with sequence ids. Publishing writes one
/// slot under a short lock and wakes readers; each reader walks the ring at its own pace from its own cursor, so a
/// slow reader costs the publishers nothing and, once lapped, learns it with a gap instead of holding memory.
/// </summary>
internal sealed class PlatformEventBus : IPlatformEvents
{
    /// <summary>How many events the stream keeps by default.</summary>
    public const int DefaultCapacity = 1000;

    private readonly SequencedEvent?[] _ring;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ChangeSignal _published = new();
    private long _last;

    public PlatformEventBus(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        _ring = new SequencedEvent?[capacity];
    }

    /// <summary>How many events the ring keeps.</summary>
    public int Capacity => _ring.Length;

    /// <summary>The id of the newest event, 0 before the first.</summary>
    public long Last
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    /// <summary>Completes at the next publish after it was read (read it before <see cref="Read"/> to miss nothing).</summary>
    public Task Next => _published.Next;

    public void Publish(PlatformEvent platformEvent)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        var stamped = platformEvent.Time == default ? platformEvent with { Time = _time.GetUtcNow() } : platformEvent;
        lock (_lock)
        {
            _last++;
            _ring[_last % _ring.Length] = new SequencedEvent(_last, stamped);
        }

        _published.Notify();
    }

    /// <summary>Up to <paramref name="max"/> events after id <paramref name="after"/>, and the gap when some are gone.</summary>
    public EventBatch Read(long after, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        lock (_lock)
        {
            var oldest = Math.Max(1, _last - _ring.Length + 1);
            EventGap? gap = null;
            var from = after + 1;
            if (after > _last)
            {
                // An id from an earlier daemon (ids restart with each): what the client holds may be stale, so it hears so and gets all there is.
                gap = new EventGap(_last + 1, after, Reset: true);
                from = oldest;
            }
            else if (from < oldest)
            {
                gap = new EventGap(from, oldest - 1, Reset: false);
                from = oldest;
            }

            var count = (int)Math.Min(max, Math.Max(0, _last - from + 1));
            var events = new SequencedEvent[count];
            for (var i = 0; i < count; i++)
            {
                events[i] = _ring[(from + i) % _ring.Length]!;
            }

            return new EventBatch(events, gap, from + count - 1);
        }
    }
}
