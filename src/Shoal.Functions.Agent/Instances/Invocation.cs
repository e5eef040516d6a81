namespace Shoal.Functions.Agent.Instances;

/// <summary>How an invocation ended.</summary>
public enum InvocationResultKind
{
    /// <summary>The runtime posted a response.</summary>
    Success,

    /// <summary>The runtime posted an error (the handler failed).</summary>
    HandlerError,

    /// <summary>It ran past the function's timeout; the instance was killed.</summary>
    Timeout,

    /// <summary>The runtime process exited while it ran (or before it took it).</summary>
    Crash,

    /// <summary>The runtime reported an init error, or never asked for an invocation within the init timeout.</summary>
    InitError,
}

/// <summary>One invocation handed to an instance, from the invoke request until the runtime answers.</summary>
internal sealed class Invocation(string requestId, byte[] payload, string traceId)
{
    public string RequestId { get; } = requestId;

    public byte[] Payload { get; } = payload;

    public string TraceId { get; } = traceId;

    /// <summary>Completes true once the runtime took it (from <c>next</c>), false if the instance failed first.</summary>
    public TaskCompletionSource<bool> Handed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the outcome: the first of response, error, timeout or exit wins.</summary>
    public TaskCompletionSource<InvocationOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the invocation; false when it had already ended.</summary>
    public bool TryComplete(InvocationOutcome outcome)
    {
        Handed.TrySetResult(false);
        return Outcome.TrySetResult(outcome);
    }
}

/// <summary>The outcome of an invocation.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Payload">The response, or the error document (<c>errorMessage</c>, <c>errorType</c>).</param>
/// <param name="InstanceGone">True when the instance cannot take another invocation.</param>
internal sealed record InvocationOutcome(InvocationResultKind Kind, byte[] Payload, bool InstanceGone)
{
    public static InvocationOutcome Error(InvocationResultKind kind, string errorType, string message, bool instanceGone) =>
        new(kind, ErrorDocument(errorType, message), instanceGone);

    public static byte[] ErrorDocument(string errorType, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", message);
            writer.WriteString("errorType", errorType);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
