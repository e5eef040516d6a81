using Microsoft.AspNetCore.Http;

namespace Shoal.Gateway.Model;

/// <summary>
/// How a service's traffic is divided between its stable version and a new one, above the load-balancing strategy
/// (which then picks among the chosen version's instances).
/// </summary>
/// <param name="Stable">The version that takes the rest of the traffic.</param>
/// <param name="Canary">The new version.</param>
/// <param name="Weight">The new version's share in percent (0–100); exact over every 100 requests, evenly spread.</param>
/// <param name="Header">A request with this header…</param>
/// <param name="HeaderValue">…set to this value goes to the new version whatever the weight (default <c>x-canary: always</c>).</param>
public sealed record TrafficSplit(string Stable, string Canary, int Weight, string Header = "x-canary", string HeaderValue = "always")
{
    private long _sequence;

    /// <summary>The version the request goes to.</summary>
    /// <param name="request">The request (for the targeting header).</param>
    /// <param name="affinity">
    /// The hash of the request's session or hash key when the strategy has one: the version is then a function of the
    /// key, so a session stays on its version; as the weight grows, keys only move from the stable version to the new one.
    /// </param>
    public string Choose(HttpRequest request, ulong? affinity = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.TryGetValue(Header, out var value) && string.Equals(value, HeaderValue, StringComparison.OrdinalIgnoreCase))
        {
            return Canary;
        }

        if (Weight <= 0)
        {
            return Stable;
        }

        if (Weight >= 100)
        {
            return Canary;
        }

        if (affinity is { } key)
        {
            return (int)(key % 100) < Weight ? Canary : Stable;
        }

        // Request k goes to the canary when ⌊(k+1)·w/100⌋ > ⌊k·w/100⌋: exactly w of every 100, never bunched.
        var k = Interlocked.Increment(ref _sequence) - 1;
        return (k + 1) * Weight / 100 > k * Weight / 100 ? Canary : Stable;
    }
}

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

/// <summary>Totals of one version; subtract an earlier one for a window.</summary>
public sealed record VersionWindow(long Requests, long Errors, long[] Latency)
{
    /// <summary>What happened between <paramref name="earlier"/> and this.</summary>
    public VersionWindow Since(VersionWindow earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new VersionWindow(Requests - earlier.Requests, Errors - earlier.Errors, Latency.Zip(earlier.Latency, (a, b) => a - b).ToArray());
    }

    /// <summary>The share of 5xx answers.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}
