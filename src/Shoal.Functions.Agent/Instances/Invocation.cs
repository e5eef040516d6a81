using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Agent.Instances;

/// <summary>One invocation handed to an instance, from the invoke request until the runtime answers.</summary>
internal sealed class Invocation(string requestId, ReadOnlyMemory<byte> payload, string traceId)
{
    public string RequestId { get; } = requestId;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public string TraceId { get; } = traceId;

    /// <summary>Completes true once the runtime took it (from <c>next</c>), false if the instance failed first.</summary>
    public TaskCompletionSource<bool> Handed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the outcome: the first of response, error, timeout or exit wins.</summary>
    public TaskCompletionSource<InvokeResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the invocation; false when it had already ended.</summary>
    public bool TryComplete(InvokeResult outcome)
    {
        Handed.TrySetResult(false);
        return Outcome.TrySetResult(outcome);
    }
}
