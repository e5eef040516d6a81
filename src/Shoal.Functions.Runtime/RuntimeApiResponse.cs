namespace Shoal.Functions.Runtime;

/// <summary>A Runtime API answer as <see cref="RuntimeApiConnection"/> reads it: the status, the <c>Lambda-Runtime-*</c> headers (when asked for) and the body.</summary>
/// <param name="Status">The status code.</param>
/// <param name="RequestId"><c>Lambda-Runtime-Aws-Request-Id</c>, or null.</param>
/// <param name="DeadlineMs"><c>Lambda-Runtime-Deadline-Ms</c>, or null.</param>
/// <param name="InvokedFunctionArn"><c>Lambda-Runtime-Invoked-Function-Arn</c>, or null.</param>
/// <param name="TraceId"><c>Lambda-Runtime-Trace-Id</c>, or null.</param>
/// <param name="Body">The body.</param>
internal readonly record struct RuntimeApiResponse(int Status, string? RequestId, string? DeadlineMs, string? InvokedFunctionArn, string? TraceId, byte[] Body);
