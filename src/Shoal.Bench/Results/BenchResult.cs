using Shoal.Bench.Transport;

namespace Shoal.Bench.Results;

/// <summary>A whole run.</summary>
public sealed record BenchResult
{
    /// <summary>The plan that ran.</summary>
    public required BenchPlan Plan { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Each step, warm-ups included.</summary>
    public required IReadOnlyList<StepResult> Steps { get; init; }

    /// <summary>All recorded steps together.</summary>
    public required StepResult Total { get; init; }

    /// <summary>What the watched processes did.</summary>
    public IReadOnlyList<Watch.ProcessWatchResult> Watch { get; init; } = [];

    /// <summary>CPU seconds the generator itself used during the recorded steps.</summary>
    public double GeneratorCpuSeconds { get; init; }

    /// <summary>The first message seen for each kind of transport error.</summary>
    public IReadOnlyDictionary<ErrorKind, string> ErrorSamples { get; init; } = new Dictionary<ErrorKind, string>();

    /// <summary>How each SLO fared.</summary>
    public IReadOnlyList<Slo.SloOutcome> Slo { get; init; } = [];
}
