namespace Shoal.Orchestration.Stack;

/// <summary>How a replica's health is probed.</summary>
public enum HealthCheckKind
{
    /// <summary>Healthy while the process runs.</summary>
    Process,

    /// <summary>A TCP connect to the replica's port.</summary>
    Tcp,

    /// <summary>An HTTP GET that answers 2xx.</summary>
    Http,

    /// <summary>A command that exits 0 (Compose's <c>healthcheck.test</c>); it runs on the host, in the service's working directory.</summary>
    Exec,

    /// <summary>A Redis <c>PING</c> that answers <c>+PONG</c> (a <c>redis:</c> service; <c>-LOADING</c> while it reads its data is not ready).</summary>
    RedisPing,
}
