namespace Shoal.Orchestration.Health;

/// <summary>The outcome of one probe.</summary>
/// <param name="Passed">True when the replica answered as healthy.</param>
/// <param name="Message">What was seen, e.g. <c>HTTP 200</c> or <c>connection refused</c>.</param>
public readonly record struct HealthProbeResult(bool Passed, string Message);
