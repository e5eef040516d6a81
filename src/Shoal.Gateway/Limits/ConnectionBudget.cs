namespace Shoal.Gateway.Limits;

/// <summary>
/// Shares a process's file descriptors between the listeners so the daemon can never exhaust its own: each gateway
/// connection may hold a second descriptor upstream, each admin connection one, and a reserve stays for the registry,
/// the agent, log files and the replicas' pipes.
/// </summary>
/// <param name="FileDescriptors">The descriptor limit shared out (RLIMIT_NOFILE's soft value).</param>
/// <param name="Reserved">Descriptors kept for everything but client connections.</param>
/// <param name="GatewayConnections">Open gateway connections at most.</param>
/// <param name="GatewayConnectionsPerClient">Open gateway connections one client address may hold.</param>
/// <param name="GatewayUpgradedConnections">Open upgraded (WebSocket) gateway connections at most.</param>
/// <param name="AdminConnections">Open admin connections at most.</param>
/// <param name="AdminConnectionsPerClient">Open admin connections one client address may hold.</param>
public sealed record ConnectionBudget(
    long FileDescriptors,
    long Reserved,
    long GatewayConnections,
    int GatewayConnectionsPerClient,
    long GatewayUpgradedConnections,
    long AdminConnections,
    int AdminConnectionsPerClient)
{
    /// <summary>The fewest descriptors kept back, whatever the limit.</summary>
    public const long MinReserve = 256;

    /// <summary>The most descriptors kept back: beyond this a larger limit all goes to connections.</summary>
    public const long MaxReserve = 4096;

    /// <summary>The descriptors the connections take at worst: two per gateway connection, one per admin connection.</summary>
    public long Needed => (2 * (GatewayConnections + GatewayUpgradedConnections)) + AdminConnections;

    /// <summary>The default caps for a process that may open <paramref name="fileDescriptors"/> descriptors.</summary>
    public static ConnectionBudget For(long fileDescriptors)
    {
        var limit = Math.Max(fileDescriptors, 2 * MinReserve);

        // An eighth for the registry, agent, logs and replicas, but at least 256 and no more than 4096.
        var reserved = Math.Clamp(limit / 8, MinReserve, MaxReserve);
        var usable = limit - reserved;
        var admin = Math.Clamp(usable / 16, 16, 1024);

        // Each gateway connection may hold an upstream one too; an eighth of them may be upgraded (WebSockets).
        var gatewayTotal = (usable - admin) / 2;
        var upgraded = Math.Max(gatewayTotal / 8, 1);
        var gateway = gatewayTotal - upgraded;

        // One address may take half: a flood from one client leaves the other half to everyone else.
        return new ConnectionBudget(limit, reserved, gateway, (int)Math.Min(Math.Max(gateway / 2, 1), int.MaxValue), upgraded, admin, (int)Math.Max(admin / 2, 1));
    }
}
