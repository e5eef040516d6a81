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
