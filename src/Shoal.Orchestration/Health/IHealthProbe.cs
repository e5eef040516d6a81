using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Health;

/// <summary>Probes one replica once.</summary>
public interface IHealthProbe
{
    /// <summary>Probes the replica listening on <paramref name="port"/> as <paramref name="check"/> says.</summary>
    ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken);
}
