namespace Shoal.Configuration;

/// <summary>A port a section listens on.</summary>
/// <param name="Port">The port.</param>
/// <param name="Owner">How messages name the owner, e.g. <c>the gateway listener (gateway.listen)</c>.</param>
public sealed record PortClaim(int Port, string Owner);
