using Shoal.Bench.Results;

namespace Shoal.Bench.Engine;

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
