namespace Shoal.Events;

/// <summary>The event types of the platform's stream; clients filter on them (<c>?types=</c>).</summary>
public static class PlatformEventTypes
{
    /// <summary>A replica's process started.</summary>
    public const string InstanceStarted = "instance.started";

    /// <summary>A replica passed its health check.</summary>
    public const string InstanceHealthy = "instance.healthy";

    /// <summary>A healthy replica failed its health check.</summary>
    public const string InstanceUnhealthy = "instance.unhealthy";

    /// <summary>The gateway took an instance out of rotation after failed requests (passive health).</summary>
    public const string InstanceEjected = "instance.ejected";

    /// <summary>The supervisor started a replica again after its process ended.</summary>
    public const string InstanceRestarted = "instance.restarted";

    /// <summary>A replica's process ended (stopped, exited or given up: see the message).</summary>
    public const string InstanceStopped = "instance.stopped";

    /// <summary>The kernel killed a replica at its memory limit.</summary>
    public const string InstanceOomKilled = "instance.oom_killed";

    /// <summary>A service's desired replica count changed.</summary>
    public const string ServiceScaled = "service.scaled";

    /// <summary>An instance entered the registry.</summary>
    public const string RegistryRegistered = "registry.registered";

    /// <summary>An instance left the registry.</summary>
    public const string RegistryDeregistered = "registry.deregistered";

    /// <summary>An instance's lease ran out.</summary>
    public const string RegistryExpired = "registry.expired";

    /// <summary>A deployment moved to its next step.</summary>
    public const string DeploymentStep = "deployment.step";

    /// <summary>A deployment's analysis gave a verdict.</summary>
    public const string DeploymentVerdict = "deployment.verdict";

    /// <summary>A deployment was rolled back.</summary>
    public const string DeploymentRolledBack = "deployment.rolled_back";

    /// <summary>A function started a new instance for an invocation.</summary>
    public const string FunctionColdStart = "function.cold_start";

    /// <summary>A function refused an invocation at its concurrency limit.</summary>
    public const string FunctionThrottled = "function.throttled";

    /// <summary>An invocation ran out of time.</summary>
    public const string FunctionTimeout = "function.timeout";

    /// <summary>A function instance's process died.</summary>
    public const string FunctionCrashed = "function.crashed";

    /// <summary>Part of the running configuration was replaced (today: a service's load balancing, through the admin API).</summary>
    public const string ConfigReloaded = "config.reloaded";

    /// <summary>
    /// Sent by the stream itself, first, when events the client asked for are gone (older than the ring, or skipped
    /// while it read too slowly, or from before a daemon restart): the client should re-read state.
    /// </summary>
    public const string StreamGap = "stream.gap";

    /// <summary>Every type a feature publishes (not <see cref="StreamGap"/>, which only the stream sends).</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        InstanceStarted, InstanceHealthy, InstanceUnhealthy, InstanceEjected, InstanceRestarted, InstanceStopped, InstanceOomKilled,
        ServiceScaled, RegistryRegistered, RegistryDeregistered, RegistryExpired, DeploymentStep, DeploymentVerdict,
        DeploymentRolledBack, FunctionColdStart, FunctionThrottled, FunctionTimeout, FunctionCrashed, ConfigReloaded,
    ];
}
