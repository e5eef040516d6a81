using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Health;

/// <summary>Probes one replica once.</summary>
public interface IHealthProbe
{
    /// <summary>Probes the replica listening on <paramref name="port"/> as <paramref name="check"/> says.</summary>
    ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken);

    /// <summary>Probes the replica listening at <paramref name="address"/> (loopback, or its own with <c>network: isolated</c>).</summary>
    ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, string address, int port, CancellationToken cancellationToken) =>
        ProbeAsync(check, port, cancellationToken);
}
