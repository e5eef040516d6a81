namespace Shoal.Bench.Results;

/// <summary>The figures <c>bench compare</c> sets side by side.</summary>
/// <param name="Path">The file read.</param>
/// <param name="Rps">Throughput.</param>
/// <param name="Requests">Completed requests.</param>
/// <param name="Errors">Failed requests.</param>
/// <param name="Latency">Latency in ms.</param>
public sealed record ResultFigures(string Path, double Rps, long Requests, long Errors, LatencyFigures Latency);
