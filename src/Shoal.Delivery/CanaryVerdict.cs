namespace Shoal.Delivery;

/// <summary>What <see cref="CanaryAnalysis"/> decides about a step window.</summary>
public enum CanaryVerdict
{
    /// <summary>The step passed: take the next one (or promote after the last).</summary>
    Pass,

    /// <summary>Too few canary requests to judge: hold the step for another window.</summary>
    Wait,

    /// <summary>The canary is worse than the thresholds and than the stable version: roll back.</summary>
    Fail,
}
