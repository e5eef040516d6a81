namespace Shoal.Processes;

/// <summary>Which network an isolated instance sees.</summary>
public enum NetworkMode
{
    /// <summary>The host's network: the gateway reaches the instance on a 127.0.0.1 port, as for a bare process.</summary>
    Host,

    /// <summary>A network namespace of its own, joined to the host by a veth pair (<c>sandbox</c> and <c>oci</c> only).</summary>
    Isolated,
}
