using Shoal.Bench.Transport;

namespace Shoal.Bench;

/// <summary>Everything one run does: the request, the steps of load, what to count and watch, and the SLOs.</summary>
public sealed record BenchPlan
{
    /// <summary>The target URL; <c>{{n}}</c> and <c>{{client}}</c> are substituted per request.</summary>
    public required string Url { get; init; }

    /// <summary>The HTTP method.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Request headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The request body, or null.</summary>
    public string? Body { get; init; }

    /// <summary>How long one request may take before it counts as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Use HTTP/2 (prior knowledge over http://).</summary>
    public bool Http2 { get; init; }

    /// <summary>What the distribution counts.</summary>
    public CountSpec Count { get; init; } = CountSpec.Default;

    /// <summary>Processes whose CPU, RSS and open files are sampled during the run.</summary>
    public IReadOnlyList<int> WatchPids { get; init; } = [];

    /// <summary>The steps, run one after the other.</summary>
    public required IReadOnlyList<BenchStep> Steps { get; init; }

    /// <summary>SLOs such as <c>p99&lt;100ms,errors=0,rps&gt;=100</c>, or null.</summary>
    public string? Slo { get; init; }
}
