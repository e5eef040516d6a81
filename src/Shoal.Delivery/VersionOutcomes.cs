namespace Shoal.Delivery;

/// <summary>Totals of the requests one version answered: how many, how many with a 5xx, and their latencies.</summary>
/// <param name="Requests">Answered requests.</param>
/// <param name="Errors">Those answered with a 5xx.</param>
/// <param name="Latency">A latency histogram in ascending buckets; a window's buckets line up with an earlier total's.</param>
public sealed record VersionOutcomes(long Requests, long Errors, IReadOnlyList<LatencyBucket> Latency)
{
    /// <summary>No requests.</summary>
    public static VersionOutcomes None { get; } = new(0, 0, []);

    /// <summary>The share of 5xx answers.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;

    /// <summary>What happened between <paramref name="earlier"/> and this.</summary>
    public VersionOutcomes Since(VersionOutcomes earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var latency = Latency.Select((b, i) => b with { Count = b.Count - (i < earlier.Latency.Count ? earlier.Latency[i].Count : 0) }).ToArray();
        return new VersionOutcomes(Requests - earlier.Requests, Errors - earlier.Errors, latency);
    }

    /// <summary>The latency in milliseconds below which <paramref name="quantile"/> of the requests fall (a bucket's upper bound); 0 with no requests.</summary>
    public double Quantile(double quantile)
    {
        var target = (long)Math.Ceiling(Requests * quantile);
        var seen = 0L;
        foreach (var bucket in Latency)
        {
            seen += bucket.Count;
            if (seen >= target && target > 0)
            {
                return bucket.UpperMilliseconds;
            }
        }

        return 0;
    }
}

/// <summary>One bucket of a latency histogram.</summary>
/// <param name="UpperMilliseconds">The bucket's upper bound.</param>
/// <param name="Count">Requests that took up to that long (and longer than the bucket below).</param>
public readonly record struct LatencyBucket(double UpperMilliseconds, long Count);
