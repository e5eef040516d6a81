using Microsoft.Extensions.Logging;
using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.Health;

/// <summary>
/// Outlier ejection: an instance that fails repeatedly (or refuses a connection) leaves rotation and is readmitted once
/// its health probe passes. At most <c>max_ejection_percent</c> of a service's instances are out at once (at least one may
/// be; never the last), so a service-wide failure cannot eject everything.
/// </summary>
internal sealed partial class PassiveHealthMonitor(GatewayState state, InstanceProber prober, TimeProvider time, ILogger<PassiveHealthMonitor> logger, GatewayMetrics? metrics = null) : IDisposable
{
    private static readonly TimeSpan s_maxEjection = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Counts a failure; <paramref name="refused"/> (nothing listening) ejects at once.</summary>
    public void ReportFailure(ClusterState cluster, DestinationState destination, bool refused, string reason)
    {
        var outliers = cluster.Config.Resilience.Outliers;
        if (outliers.ConsecutiveFailures == 0)
        {
            return;
        }

        if ((destination.RecordFailure(outliers.ConsecutiveFailures) || refused) && MayEject(cluster, outliers.MaxEjectionPercent) && destination.TryEject())
        {
            Log.Ejected(logger, cluster.Service, destination.Id, reason);
            metrics?.OnEjected(cluster, destination);
            state.Events.Publish(EjectionEvent.Of(cluster.Service, destination, reason));
            state.Rebuild();
            _ = ProbeUntilHealthyAsync(cluster, destination);
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>True when one more instance of the cluster may be ejected.</summary>
    internal static bool MayEject(ClusterState cluster, int maxPercent)
    {
        int routable = 0, ejected = 0;
        foreach (var destination in cluster.AllDestinations)
        {
            if (destination.Instance.IsRoutable)
            {
                routable++;
                ejected += destination.IsEjected ? 1 : 0;
            }
        }

        var allowed = Math.Min(routable - 1, Math.Max(1, routable * maxPercent / 100));
        return ejected < allowed;
    }

    private async Task ProbeUntilHealthyAsync(ClusterState cluster, DestinationState destination)
    {
        var wait = cluster.Config.Resilience.Outliers.EjectionTime;
        try
        {
            while (!_disposed.IsCancellationRequested)
            {
                await Task.Delay(wait, time, _disposed.Token).ConfigureAwait(false);

                // A restarted or removed instance got a new destination: this one's story is over.
                if (!ReferenceEquals(state.FindDestination(cluster.Service, destination.Id), destination))
                {
                    return;
                }

                if (await prober.IsHealthyAsync(destination.Instance, s_probeTimeout, _disposed.Token).ConfigureAwait(false))
                {
                    destination.Readmit();
                    Log.Readmitted(logger, cluster.Service, destination.Id);
                    state.Rebuild();
                    return;
                }

                wait = wait * 2 > s_maxEjection ? s_maxEjection : wait * 2;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Warning, "{Service}/{InstanceId} ejected: {Reason}")]
        public static partial void Ejected(ILogger logger, string service, string instanceId, string reason);

        [LoggerMessage(2002, LogLevel.Information, "{Service}/{InstanceId} readmitted after a passing probe")]
        public static partial void Readmitted(ILogger logger, string service, string instanceId);
    }
}
