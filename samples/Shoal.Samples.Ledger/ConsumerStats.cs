namespace Shoal.Samples.Ledger;

/// <summary>What this replica's consumer did since it started (the ledger's totals are in the store).</summary>
public sealed class ConsumerStats
{
    private long _redelivered;
    private long _rejected;
    private long _claimed;
    private int _connected;

    /// <summary>Entries whose transfer was recorded before: dropped, then acknowledged.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    /// <summary>Entries that are not transfer events: logged, then acknowledged so they are not read again.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Entries taken over from another consumer that left them unacknowledged (<c>XAUTOCLAIM</c>).</summary>
    public long Claimed => Interlocked.Read(ref _claimed);

    /// <summary>Whether the last read from Redis worked.</summary>
    public bool Connected => Volatile.Read(ref _connected) == 1;

    public void CountRedelivered() => Interlocked.Increment(ref _redelivered);

    public void CountRejected() => Interlocked.Increment(ref _rejected);

    public void CountClaimed(int count) => Interlocked.Add(ref _claimed, count);

    public void SetConnected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);
}
