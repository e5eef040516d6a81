namespace Shoal.Gateway.Model;

/// <summary>Requests, 5xx answers and latencies per version of one service, counted while a split is in force.</summary>
public sealed class VersionStats
{
    // Latency buckets: 0.1 ms × 1.25^i, so 60 buckets reach past 60 s with ±12 % resolution.
    private const int Buckets = 64;
    private static readonly double[] s_upperMs = Enumerable.Range(0, Buckets).Select(i => 0.1 * Math.Pow(1.25, i)).ToArray();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counters> _versions = new(StringComparer.Ordinal);

    /// <summary>Counts one answered request.</summary>
    public void Record(string version, int status, double milliseconds)
    {
        var counters = _versions.GetOrAdd(version, _ => new Counters());
        Interlocked.Increment(ref counters.Requests);
        if (status >= 500)
        {
            Interlocked.Increment(ref counters.Errors);
        }

        var bucket = Array.BinarySearch(s_upperMs, milliseconds);
        Interlocked.Increment(ref counters.Latency[Math.Min(Buckets - 1, bucket < 0 ? ~bucket : bucket)]);
    }

    /// <summary>The running totals of one version.</summary>
    public VersionWindow Snapshot(string version)
    {
        if (!_versions.TryGetValue(version, out var c))
        {
            return new VersionWindow(0, 0, new long[Buckets]);
        }

        var latency = new long[Buckets];
        for (var i = 0; i < Buckets; i++)
        {
            latency[i] = Interlocked.Read(ref c.Latency[i]);
        }

        return new VersionWindow(Interlocked.Read(ref c.Requests), Interlocked.Read(ref c.Errors), latency);
    }

    /// <summary>The latency below which <paramref name="quantile"/> of a window's requests fall (upper bucket bound).</summary>
    public static double Quantile(VersionWindow window, double quantile)
    {
        ArgumentNullException.ThrowIfNull(window);
        var target = (long)Math.Ceiling(window.Requests * quantile);
        var seen = 0L;
        for (var i = 0; i < Buckets; i++)
        {
            seen += window.Latency[i];
            if (seen >= target && target > 0)
            {
                return s_upperMs[i];
            }
        }

        return 0;
    }

    private sealed class Counters
    {
        public long Requests;
        public long Errors;
        public readonly long[] Latency = new long[Buckets];
    }
}
