using System.Diagnostics;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Telemetry;

/// <summary>
/// The pool's spans ("Shoal.Functions"), children of the gateway's request span: the wait in the queue for a free
/// instance, a cold start, and the invocation itself, whose id reaches the runtime as its <c>Lambda-Runtime-Trace-Id</c>.
/// With nothing listening every method returns null at the cost of one check.
/// </summary>
public static class FunctionTracing
{
    /// <summary>The <see cref="ActivitySource"/> name of the functions' spans.</summary>
    public const string SourceName = FunctionTraceContext.SourceName;

    private static readonly ActivitySource s_source = new(SourceName);

    /// <summary>A span for the wait for a free instance at <c>concurrency.max</c>.</summary>
    internal static Activity? StartQueueWait(string function)
    {
        var span = s_source.StartActivity("shoal.function.queue");
        span?.SetTag("faas.name", function);
        return span;
    }

    /// <summary>A span for starting an instance an invocation waits for.</summary>
    internal static Activity? StartColdStart(string function, string instance)
    {
        var span = s_source.StartActivity("shoal.function.cold_start");
        span?.SetTag("faas.name", function);
        span?.SetTag("shoal.instance", instance);
        return span;
    }

    /// <summary>A span for one invocation on <paramref name="instance"/> (client kind: the runtime is its server).</summary>
    internal static Activity? StartInvoke(string function, string requestId, string instance, bool warm, int attempt)
    {
        var span = s_source.StartActivity("shoal.function.invoke", ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("faas.name", function);
            span.SetTag("faas.invocation_id", requestId);
            span.SetTag("faas.coldstart", !warm);
            span.SetTag("shoal.instance", instance);
            span.SetTag("shoal.attempt", attempt);
        }

        return span;
    }

    /// <summary>Records how the invocation ended.</summary>
    internal static void Ended(Activity? span, InvokeResult? result)
    {
        if (span is null || result is null || !result.IsError)
        {
            return;
        }

        span.SetTag("error.type", result.ErrorType ?? result.Kind.ToString());
        span.SetStatus(ActivityStatusCode.Error, result.ErrorMessage);
    }
}
