namespace Shoal.Functions.Agent.Instances;

/// <summary>The answer to the runtime's <c>next</c>: the event when <paramref name="Status"/> is <see cref="NextStatus.Handed"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Invocation">The event to run, when handed.</param>
internal readonly record struct NextResult(NextStatus Status, Invocation? Invocation = null);
