namespace Shoal.Delivery;

/// <summary>The canary judgement: one step window of the new version against the stable one, and the thresholds.</summary>
public static class CanaryAnalysis
{
    /// <summary>Judges a window; <paramref name="reason"/> says why it failed or waits.</summary>
    public static CanaryVerdict Judge(AnalysisThresholds limits, VersionOutcomes canary, VersionOutcomes stable, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        reason = Breach(limits, canary, stable);
        if (reason is not null)
        {
            return CanaryVerdict.Fail;
        }

        if (canary.Requests < limits.MinRequests)
        {
            reason = $"{canary.Requests} canary requests in the window, fewer than {limits.MinRequests}";
            return CanaryVerdict.Wait;
        }

        return CanaryVerdict.Pass;
    }

    /// <summary>The reason a canary window fails, or null (also when it has too few requests to judge).</summary>
    public static string? Breach(AnalysisThresholds limits, VersionOutcomes canary, VersionOutcomes stable)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(stable);
        if (canary.Requests < Math.Max(1, limits.MinRequests))
        {
            return null;
        }

        if (canary.ErrorRate > limits.MaxErrorRate && canary.ErrorRate > stable.ErrorRate)
        {
            return $"error rate {canary.ErrorRate:P1} over {canary.Requests} requests is above {limits.MaxErrorRate:P1} (stable {stable.ErrorRate:P1})";
        }

        var p99 = canary.Quantile(0.99);
        if (limits.MaxP99 is { } max && p99 > max.TotalMilliseconds && p99 > stable.Quantile(0.99))
        {
            return $"p99 {p99:0.#} ms over {canary.Requests} requests is above {max.TotalMilliseconds:0.#} ms (stable {stable.Quantile(0.99):0.#} ms)";
        }

        return null;
    }

    /// <summary>A window in a line, for the deployment's history.</summary>
    public static string Describe(VersionOutcomes window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return $"{window.Requests} requests, {window.ErrorRate:P1} errors, p99 {window.Quantile(0.99):0.#} ms";
    }
}
