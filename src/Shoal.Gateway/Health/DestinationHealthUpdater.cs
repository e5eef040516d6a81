using Shoal.Gateway.Model;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.Health;

/// <summary>Applies attempt outcomes to an instance's circuit breaker, passive health and stall-detection progress.</summary>
internal sealed class DestinationHealthUpdater(PassiveHealthMonitor passiveHealth, TimeProvider time, GatewayMetrics? metrics = null) : IDestinationHealthUpdater
{
    /// <inheritdoc />
    public void OnAnswered(ClusterState cluster, DestinationState destination, long started)
    {
        var now = time.GetTimestamp();
        var latency = time.GetElapsedTime(started, now);
        destination.Progress.OnAnswer(time, now, latency);
        cluster.Latency.Record(latency);
    }

    /// <inheritdoc />
    public void OnLateAnswer(DestinationState destination, long started)
    {
        var now = time.GetTimestamp();
        destination.Progress.OnAnswer(time, now, time.GetElapsedTime(started, now));
    }

    /// <inheritdoc />
    public void OnUnanswered(DestinationState destination, long started, TimeSpan signalAge)
    {
        if (time.GetElapsedTime(started) >= signalAge)
        {
            destination.Progress.OnUnanswered(started);
        }
    }

    /// <inheritdoc />
    public void OnSucceeded(DestinationState destination)
    {
        destination.RecordSuccess();
        destination.Breaker.RecordSuccess();
    }

    /// <inheritdoc />
    public void OnFailed(ClusterState cluster, DestinationState destination, bool refused, string reason)
    {
        metrics?.OnFailed(cluster, destination, refused);
        destination.Breaker.RecordFailure();
        passiveHealth.ReportFailure(cluster, destination, refused, reason);
    }
}
