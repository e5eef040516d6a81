using System.Collections.Concurrent;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>A probe whose answer the test sets per port.</summary>
internal sealed class FakeHealthProbe : IHealthProbe
{
    private readonly ConcurrentDictionary<int, bool> _healthy = new();

    public bool DefaultHealthy { get; set; } = true;

    public void Set(int port, bool healthy) => _healthy[port] = healthy;

    /// <summary>When true, probes get no answer at all (a frozen replica): they end only when cancelled.</summary>
    public bool Hang { get; set; }

    public async ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken)
    {
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return _healthy.GetValueOrDefault(port, DefaultHealthy) ? new HealthProbeResult(true, "HTTP 200") : new HealthProbeResult(false, "HTTP 503");
    }
}
