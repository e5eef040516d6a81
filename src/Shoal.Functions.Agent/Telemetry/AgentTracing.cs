using System.Diagnostics;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Agent.Telemetry;

/// <summary>The agent's span: starting an instance, as a child of the pool's cold-start span when the request names one.</summary>
internal static class AgentTracing
{
    private static readonly ActivitySource s_source = new(FunctionTraceContext.SourceName);

    /// <summary>A span for starting <paramref name="id"/>; null when nothing listens or the caller sent no trace (a warm-up start).</summary>
    public static Activity? StartEnsure(string traceParent, string function, string id)
    {
        if (!s_source.HasListeners() || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent))
        {
            return null;
        }

        var span = s_source.StartActivity("shoal.agent.start", ActivityKind.Server, parent);
        span?.SetTag("faas.name", function);
        span?.SetTag("shoal.instance", id);
        return span;
    }
}
