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

/// <summary>One stretch of load: closed loop (<see cref="Rate"/> null) or open loop at a rate.</summary>
public sealed record BenchStep
{
    /// <summary>The step name in reports.</summary>
    public string Name { get; init; } = "main";

    /// <summary>Concurrent connections (closed loop: each sends back-to-back).</summary>
    public int Connections { get; init; } = 10;

    /// <summary>Requests per second for an open-loop step; latency then counts from each request's intended start.</summary>
    public double? Rate { get; init; }

    /// <summary>With <see cref="Rate"/>: ramp linearly from Rate to this rate over the step.</summary>
    public double? RateTo { get; init; }

    /// <summary>Pause between a response and the next request on a closed-loop connection.</summary>
    public TimeSpan Think { get; init; }

    /// <summary>How long the step runs (when <see cref="Requests"/> is null).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Exactly this many requests (instead of a duration).</summary>
    public long? Requests { get; init; }

    /// <summary>False for a warm-up: the step runs but its results are discarded.</summary>
    public bool Record { get; init; } = true;

    /// <summary>"closed" or "open".</summary>
    public string Model => Rate is null ? "closed" : "open";
}
