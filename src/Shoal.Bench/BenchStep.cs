namespace Shoal.Bench;

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
