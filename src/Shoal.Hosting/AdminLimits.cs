using Shoal.Registry.Api;

namespace Shoal.Hosting;

/// <summary>What the admin listener takes on: connections in all and per client address, and what registrations may point at.</summary>
/// <param name="MaxConnections">Open admin connections at most; null for no cap.</param>
/// <param name="MaxConnectionsPerClient">Open admin connections one client address may hold; null for no cap.</param>
/// <param name="Registration">The registration policy.</param>
internal sealed record AdminLimits(long? MaxConnections, int? MaxConnectionsPerClient, RegistrationPolicy Registration);
