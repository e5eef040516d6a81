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
