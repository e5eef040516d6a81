using Shoal.Processes;

namespace Shoal.Orchestration.Stack;

/// <summary>How a service's replicas are isolated and limited: <c>runtime</c>, <c>image</c>, <c>network</c>, <c>user</c> and <c>resources</c>.</summary>
public sealed record ServiceRuntimeDefinition
{
    /// <summary>A bare process as the daemon's user, on the host network, without limits.</summary>
    public static ServiceRuntimeDefinition Default { get; } = new();

    /// <summary>The runtime every replica starts in.</summary>
    /// <value>Defaults to <see cref="RuntimeKind.Process"/>.</value>
    public RuntimeKind Kind { get; init; } = RuntimeKind.Process;

    /// <summary>The image: an absolute path for <c>oci</c> (resolved against the stack file's directory), a name for <c>docker</c>; null otherwise.</summary>
    public string? Image { get; init; }

    /// <summary>The network the replicas see.</summary>
    /// <value>Defaults to <see cref="NetworkMode.Host"/>; <see cref="NetworkMode.Isolated"/> only for <c>sandbox</c> and <c>oci</c>.</value>
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>The user as written (<c>nobody</c>, <c>65534</c>, <c>1000:1000</c>), resolved when the stack starts; null for the daemon's own.</summary>
    public string? User { get; init; }

    /// <summary>The limits of each replica (<c>resources</c> or Compose's <c>deploy.resources.limits</c>).</summary>
    public ResourceLimits Limits { get; init; } = ResourceLimits.None;

    /// <summary>Where <c>runtime</c> was written (the service's own line when it was not), for a runtime that cannot run here.</summary>
    public FieldLocation RuntimeAt { get; init; } = FieldLocation.None;

    /// <summary>Where <c>user</c> was written, for a user this machine does not know.</summary>
    public FieldLocation UserAt { get; init; } = FieldLocation.None;

    /// <summary>The runtime's name as written and reported (<c>process</c>, <c>sandbox</c>, …).</summary>
    public string RuntimeName => RuntimeNames.Of(Kind);
}
