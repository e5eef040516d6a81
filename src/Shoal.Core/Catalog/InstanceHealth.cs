namespace Shoal.Catalog;

/// <summary>The health of a service instance, as Consul names it.</summary>
public enum InstanceHealth
{
    /// <summary>Healthy: the instance takes traffic.</summary>
    Passing,

    /// <summary>Degraded but still taking traffic.</summary>
    Warning,

    /// <summary>Failing, starting or gone: the instance takes no traffic.</summary>
    Critical,
}
