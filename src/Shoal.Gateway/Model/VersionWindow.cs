namespace Shoal.Gateway.Model;

/// <summary>Totals of one version; subtract an earlier one for a window.</summary>
public sealed record VersionWindow(long Requests, long Errors, long[] Latency)
{
    /// <summary>What happened between <paramref name="earlier"/> and this.</summary>
    public VersionWindow Since(VersionWindow earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new VersionWindow(Requests - earlier.Requests, Errors - earlier.Errors, Latency.Zip(earlier.Latency, (a, b) => a - b).ToArray());
    }

    /// <summary>The share of 5xx answers.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}
