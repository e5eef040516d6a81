using Shoal.Processes;

namespace Shoal.Functions.Configuration;

/// <summary>How a function's instances are isolated from the host and each other, and what they may use.</summary>
public sealed record FunctionIsolation
{
    /// <summary>A bare process, the host network, the default user, no CPU quota, the default pids limit, kept running when idle.</summary>
    public static FunctionIsolation Default { get; } = new();

    /// <summary>The runtime that starts the instances (<c>runtime:</c>).</summary>
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    /// <summary>The root file system for <c>oci</c> (absolute path) or the image name for <c>docker</c>; null for the host's directories.</summary>
    public string? Image { get; init; }

    /// <summary>The network the instances see (<c>isolated</c> only for <c>sandbox</c> and <c>oci</c>).</summary>
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>Who the instances run as, as written (<c>name</c>, <c>uid</c> or <c>uid:gid</c>); null for the agent's default (an unprivileged user when it runs as root).</summary>
    public string? User { get; init; }

    /// <summary>The CPU quota in CPUs (<c>resources.cpus</c>, e.g. 0.5), or null for a weight in proportion to memory only.</summary>
    public double? Cpus { get; init; }

    /// <summary>The most tasks an instance may have (<c>resources.pids</c>), or null for the agent's default.</summary>
    public int? MaxProcesses { get; init; }

    /// <summary>What happens to a warm instance between invocations (<c>idle:</c>).</summary>
    public IdleMode Idle { get; init; } = IdleMode.Stop;
}
