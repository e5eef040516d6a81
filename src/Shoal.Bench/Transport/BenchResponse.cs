namespace Shoal.Bench.Transport;

/// <summary>What the generator keeps of one response.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="CountKey">The value counted for the distribution (header or JSON field), or null.</param>
public readonly record struct BenchResponse(int Status, string? CountKey);
