using System.Diagnostics.Metrics;

namespace Shoal.Orchestration.Telemetry;

/// <summary>
/// The supervisor's instruments on the <c>Shoal</c> meter (<c>shoal_supervisor_*</c>). One meter for the process: a
/// daemon supervises one stack, and tests tell their services apart by name.
/// </summary>
internal static class SupervisorMetrics
{
    private static readonly Meter s_meter = new("Shoal");
    private static readonly Counter<long> s_restarts = s_meter.CreateCounter<long>("shoal.supervisor.restarts", description: "Replicas restarted after they exited, by service.");
    private static readonly Counter<long> s_crashLoops = s_meter.CreateCounter<long>("shoal.supervisor.crash_loops", description: "Replicas given up on: more exits than restart.max_restarts within restart.window.");

    /// <summary>The meter, for tests.</summary>
    internal static Meter Meter => s_meter;

    public static void OnRestarted(string service) => s_restarts.Add(1, new KeyValuePair<string, object?>("service", service));

    public static void OnCrashLoop(string service) => s_crashLoops.Add(1, new KeyValuePair<string, object?>("service", service));
}
