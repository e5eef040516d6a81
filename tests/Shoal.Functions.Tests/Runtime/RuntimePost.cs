namespace Shoal.Functions.Tests.Runtime;

/// <summary>What a runtime posted for one invocation (or for init): the verb, the body, the error-type header.</summary>
internal sealed record RuntimePost(string Kind, string Body, string? ErrorTypeHeader);
