namespace Shoal.Gateway.LoadBalancing;

/// <summary>The names of the built-in load-balancing policies.</summary>
public static class LoadBalancingPolicies
{
    /// <summary>Each instance in turn (the default).</summary>
    public const string RoundRobin = "round-robin";
}
