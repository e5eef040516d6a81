namespace Shoal.Functions.Runtime;

/// <summary>One event handed out by <c>GET /runtime/invocation/next</c>.</summary>
/// <param name="RequestId">The invocation's id.</param>
/// <param name="Deadline">When it times out.</param>
/// <param name="InvokedFunctionArn">The ARN the caller invoked, or empty.</param>
/// <param name="TraceId">The trace header, or null.</param>
/// <param name="Event">The event's bytes (JSON).</param>
internal sealed record Invocation(string RequestId, DateTimeOffset Deadline, string InvokedFunctionArn, string? TraceId, ReadOnlyMemory<byte> Event);
