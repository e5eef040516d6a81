using Shoal.Gateway.LoadBalancing;

namespace Shoal.Gateway.Configuration;

/// <summary>How the gateway balances and protects one service.</summary>
public sealed record ServiceRoutingOptions
{
    /// <summary>The settings of a service that sets none.</summary>
    public static ServiceRoutingOptions Default { get; } = new();

    /// <summary>The load-balancing policy name.</summary>
    /// <value>Defaults to <see cref="LoadBalancingPolicies.RoundRobin"/>.</value>
    public string LoadBalancing { get; init; } = LoadBalancingPolicies.RoundRobin;

    /// <summary>How long one upstream exchange may go without progress.</summary>
    /// <value>Defaults to 100 s, as YARP.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>At most this many attempts per request (first try included) when an attempt fails before any response.</summary>
    /// <value>Defaults to 3.</value>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Consecutive 5xx or transport failures that eject an instance; a refused connection ejects at once.</summary>
    /// <value>Defaults to 3.</value>
    public int ConsecutiveFailures { get; init; } = 3;

    /// <summary>How long an ejected instance waits before it is probed again.</summary>
    /// <value>Defaults to 2 s; doubles with each failed probe, up to 30 s.</value>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(2);
}
