using Shoal.Bench.Results;

namespace Shoal.Bench.Engine;

/// <summary>Told how a run is going, to show it live.</summary>
public interface IBenchProgress
{
    /// <summary>A step begins.</summary>
    void StepStarted(BenchStep step);

    /// <summary>About once a second during a step.</summary>
    void Tick(BenchStep step, ProgressSnapshot snapshot);

    /// <summary>A step is over.</summary>
    void StepFinished(BenchStep step, StepResult result);
}

/// <summary>A step so far.</summary>
/// <param name="Elapsed">Time since the step began.</param>
/// <param name="Completed">Requests completed so far.</param>
/// <param name="Errors">Of which failed.</param>
/// <param name="CurrentRps">Completions per second over the last tick.</param>
/// <param name="P99Ms">p99 so far, in ms.</param>
public readonly record struct ProgressSnapshot(TimeSpan Elapsed, long Completed, long Errors, double CurrentRps, double P99Ms);

/// <summary>Shows nothing.</summary>
public sealed class NoProgress : IBenchProgress
{
    /// <inheritdoc />
    public void StepStarted(BenchStep step)
    {
    }

    /// <inheritdoc />
    public void Tick(BenchStep step, ProgressSnapshot snapshot)
    {
    }

    /// <inheritdoc />
    public void StepFinished(BenchStep step, StepResult result)
    {
    }
}
