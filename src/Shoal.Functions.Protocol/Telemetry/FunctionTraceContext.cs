using System.Diagnostics;

namespace Shoal.Functions.Agent.Protocol.Telemetry;

/// <summary>
/// How an invocation's trace travels from the gateway's pool to the function: the pool's invoke span as a W3C
/// <c>traceparent</c> (a header on the HTTP invoke, a field on <c>EnsureContainer</c>, the value itself to a local agent),
/// and, at the Runtime API, the same trace as Lambda's X-Ray header <c>Lambda-Runtime-Trace-Id</c>.
/// </summary>
public static class FunctionTraceContext
{
    /// <summary>The <see cref="ActivitySource"/> name of the functions' spans (the pool's and the agent's).</summary>
    public const string SourceName = "Shoal.Functions";

    /// <summary>The W3C header that carries the trace on the HTTP invoke.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>
    /// The current span as a <c>traceparent</c> when it is one of the functions' spans; null otherwise. Any other
    /// activity (ASP.NET Core's own, made for logging scopes when no tracer listens) is never exported, so a trace
    /// parented on it would point at a span nobody can see.
    /// </summary>
    public static string? Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Source.Name: SourceName } activity ? activity.Id : null;

    /// <summary>
    /// <paramref name="traceParent"/> (<c>00-TRACEID-SPANID-FLAGS</c>) in X-Ray's form:
    /// <c>Root=1-&lt;first 8 hex of the trace id&gt;-&lt;other 24&gt;;Parent=&lt;span id&gt;;Sampled=&lt;0|1&gt;</c>,
    /// or null when it is not a valid version-00 traceparent.
    /// </summary>
    public static string? ToLambdaTraceId(string? traceParent)
    {
        if (traceParent is not { Length: 55 } || !ActivityContext.TryParse(traceParent, null, out var context))
        {
            return null;
        }

        var trace = context.TraceId.ToHexString();
        var sampled = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? '1' : '0';
        return $"Root=1-{trace.AsSpan(0, 8)}-{trace.AsSpan(8)};Parent={context.SpanId.ToHexString()};Sampled={sampled}";
    }
}
