namespace Shoal.Bench.Engine;

/// <summary>A step so far.</summary>
/// <param name="Elapsed">Time since the step began.</param>
/// <param name="Completed">Requests completed so far.</param>
/// <param name="Errors">Of which failed.</param>
/// <param name="CurrentRps">Completions per second over the last tick.</param>
/// <param name="P99Ms">p99 so far, in ms.</param>
public readonly record struct ProgressSnapshot(TimeSpan Elapsed, long Completed, long Errors, double CurrentRps, double P99Ms);
