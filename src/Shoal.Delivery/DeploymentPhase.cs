namespace Shoal.Delivery;

/// <summary>Where a deployment is.</summary>
public enum DeploymentPhase
{
    /// <summary>The new version is starting.</summary>
    Starting,

    /// <summary>A canary is taking its step's share and being judged.</summary>
    Progressing,

    /// <summary>Steps do not advance until resumed.</summary>
    Paused,

    /// <summary>Blue/green: the new version is up with no traffic (preview through the header) until <c>switch</c>.</summary>
    Ready,

    /// <summary>Blue/green: the new version has all traffic; the old one stays warm for rollback.</summary>
    Switched,

    /// <summary>The new version is the service's version now.</summary>
    Promoted,

    /// <summary>All traffic went back to the stable version and the new one was stopped.</summary>
    RolledBack,
}
