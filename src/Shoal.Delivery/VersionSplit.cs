namespace Shoal.Delivery;

/// <summary>How a service's traffic divides between its stable version and a new one.</summary>
/// <param name="Stable">The version that takes the rest of the traffic.</param>
/// <param name="Canary">The new version.</param>
/// <param name="Weight">The new version's share in percent (0–100).</param>
/// <param name="Header">A request with this header…</param>
/// <param name="HeaderValue">…set to this value goes to the new version whatever the weight.</param>
public sealed record VersionSplit(string Stable, string Canary, int Weight, string Header, string HeaderValue);
