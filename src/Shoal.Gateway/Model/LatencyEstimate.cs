using System.Numerics;

namespace Shoal.Gateway.Model;

/// <summary>
/// A service's latency distribution over the last 10 to 20 s: a log-scale histogram (four buckets per power of two, so a
/// quantile is within 25 %) in two windows, the current and the previous. Recording is one interlocked increment; the
/// stall detector reads quantiles and rotates the windows off the request path.
/// </summary>
internal sealed class LatencyEstimate
{
    /// <summary>Fewer answers than this in both windows and there is no estimate: a p99 of fewer samples means little.</summary>
    internal const int MinSamples = 100;

    private const int SubBuckets = 4;
    private const int Buckets = 40 * SubBuckets;
    private long[] _current = new long[Buckets];
    private long[] _previous = new long[Buckets];

    /// <summary>Counts one answer that took <paramref name="elapsed"/>.</summary>
    public void Record(TimeSpan elapsed) => Interlocked.Increment(ref Volatile.Read(ref _current)[BucketOf(elapsed)]);

    /// <summary>Starts a new window; the current becomes the previous.</summary>
    public void Rotate()
    {
        var fresh = new long[Buckets];
        Volatile.Write(ref _previous, Interlocked.Exchange(ref _current, fresh));
    }

    /// <summary>True when neither window holds an answer: turning them over changes nothing.</summary>
    public bool IsEmpty
    {
        get
        {
            var current = Volatile.Read(ref _current);
            var previous = Volatile.Read(ref _previous);
            for (var i = 0; i < Buckets; i++)
            {
                if (Volatile.Read(ref current[i]) != 0 || Volatile.Read(ref previous[i]) != 0)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The latency <paramref name="quantile"/> of the answers are within (the bucket's upper bound), or null with too few answers.</summary>
    public TimeSpan? Quantile(double quantile)
    {
        var current = Volatile.Read(ref _current);
        var previous = Volatile.Read(ref _previous);
        long total = 0;
        for (var i = 0; i < Buckets; i++)
        {
            total += Volatile.Read(ref current[i]) + Volatile.Read(ref previous[i]);
        }

        if (total < MinSamples)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Volatile.Read(ref current[i]) + Volatile.Read(ref previous[i]);
            if (seen >= rank)
            {
                return UpperBound(i);
            }
        }

        return UpperBound(Buckets - 1);
    }

    /// <summary>The bucket of a latency, by microseconds: the power of two and which quarter of it.</summary>
    internal static int BucketOf(TimeSpan elapsed)
    {
        var micros = (ulong)Math.Max(1, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        var power = BitOperations.Log2(micros);
        if (power < 2)
        {
            return (int)micros;
        }

        var quarter = (int)((micros >> (power - 2)) & 3);
        return Math.Min(Buckets - 1, (power * SubBuckets) + quarter);
    }

    /// <summary>The largest latency a bucket holds.</summary>
    internal static TimeSpan UpperBound(int bucket)
    {
        if (bucket < 2 * SubBuckets)
        {
            return TimeSpan.FromMicroseconds(8);
        }

        var power = bucket / SubBuckets;
        var quarter = bucket % SubBuckets;
        return TimeSpan.FromMicroseconds((double)((4L + quarter + 1) << (power - 2)));
    }
}
