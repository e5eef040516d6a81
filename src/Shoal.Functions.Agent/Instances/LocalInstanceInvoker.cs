using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// Invokes the instances of an agent in the same process by handing the event to the instance directly, without the
/// HTTP round trip to its endpoint; instances this agent does not hold go to <paramref name="fallback"/>.
/// </summary>
internal sealed class LocalInstanceInvoker(InstanceTable table, IInstanceInvoker fallback, TimeProvider time) : IInstanceInvoker
{
    /// <inheritdoc />
    public async Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (table.FindStarted(instanceId, invokeUrl) is not { } instance)
        {
            return await fallback.InvokeAsync(instanceId, invokeUrl, requestId, payload, limit, cancellationToken).ConfigureAwait(false);
        }

        // The instance itself ends the invocation at its init and run deadlines (killing the runtime if it must), so
        // the caller's limit, which is longer, is only a backstop here.
        try
        {
            return await instance.InvokeAsync(requestId, payload, FunctionTraceContext.Current()).WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return InvokeResult.NoAnswer;
        }
    }
}
