namespace Shoal.Orchestration.Stack;

/// <summary>Which backing service a template service runs from the host's binaries.</summary>
public enum BackingKind
{
    /// <summary>PostgreSQL (<c>postgres:</c>): Debian's server binaries, a cluster in the service's volume.</summary>
    Postgres,

    /// <summary>Redis (<c>redis:</c>): <c>redis-server</c> with its data directory in the service's volume and appendonly on.</summary>
    Redis,
}
