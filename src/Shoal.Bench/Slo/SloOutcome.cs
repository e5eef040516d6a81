namespace Shoal.Bench.Slo;

/// <summary>How one SLO fared.</summary>
/// <param name="Objective">The clause as written.</param>
/// <param name="Met">True when it held.</param>
/// <param name="Actual">The measured value (ms for latency); null when there was none (a latency objective without a successful response).</param>
/// <param name="ActualText">The measured value with its unit, or why there is none.</param>
public sealed record SloOutcome(string Objective, bool Met, double? Actual, string ActualText);
