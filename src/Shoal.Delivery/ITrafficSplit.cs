namespace Shoal.Delivery;

/// <summary>The gateway's side of a deployment: how a service's traffic divides between two versions, and how each fared.</summary>
public interface ITrafficSplit
{
    /// <summary>True when the gateway routes <paramref name="service"/>.</summary>
    bool Routes(string service);

    /// <summary>Puts <paramref name="split"/> in force for the service; null ends the split.</summary>
    void Set(string service, VersionSplit? split);

    /// <summary>The running totals of the requests one version of the service answered; subtract an earlier one for a window.</summary>
    VersionOutcomes Outcomes(string service, string version);

    /// <summary>How many replicas of the version the gateway routes to now.</summary>
    int RoutableReplicas(string service, string version);
}
