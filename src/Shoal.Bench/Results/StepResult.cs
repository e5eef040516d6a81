using HdrHistogram;
using Shoal.Bench.Transport;

namespace Shoal.Bench.Results;

/// <summary>What one step (or the whole run) measured.</summary>
public sealed record StepResult
{
    /// <summary>The step name (<c>total</c> for the whole run).</summary>
    public required string Name { get; init; }

    /// <summary>closed or open.</summary>
    public required string Model { get; init; }

    /// <summary>Connections.</summary>
    public int Connections { get; init; }

    /// <summary>The target rate of an open-loop step.</summary>
    public double? Rate { get; init; }

    /// <summary>Measured seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>CPU seconds the generator used during the step.</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Completed requests: successes and errors.</summary>
    public long Requests { get; init; }

    /// <summary>
    /// Open loop: requests that fell due within the duration but were never sent, because the target answered too slowly
    /// for the connections to keep up with the rate. Their latency is not in the figures (each would have waited at least
    /// from its due time to the end of the step).
    /// </summary>
    public long Unsent { get; init; }

    /// <summary>Responses with a status below 400.</summary>
    public long Ok { get; init; }

    /// <summary>Requests that failed (status ≥ 400 or transport).</summary>
    public long Errors { get; init; }

    /// <summary>Completed requests per second.</summary>
    public double Rps => DurationSeconds > 0 ? Requests / DurationSeconds : 0;

    /// <summary>Errors / requests.</summary>
    public double ErrorRate => Requests > 0 ? (double)Errors / Requests : 0;

    /// <summary>Latency of successful responses, in ms.</summary>
    public required LatencyFigures Latency { get; init; }

    /// <summary>Responses by status code.</summary>
    public IReadOnlyDictionary<int, long> StatusCodes { get; init; } = new Dictionary<int, long>();

    /// <summary>Errors by kind.</summary>
    public IReadOnlyDictionary<ErrorKind, long> ErrorsByKind { get; init; } = new Dictionary<ErrorKind, long>();

    /// <summary>Responses per counted value (e.g. per instance).</summary>
    public IReadOnlyDictionary<string, long> Distribution { get; init; } = new Dictionary<string, long>();

    /// <summary>The latency histogram in microseconds.</summary>
    public HistogramBase? Histogram { get; init; }
}
