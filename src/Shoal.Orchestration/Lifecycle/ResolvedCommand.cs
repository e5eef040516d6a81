namespace Shoal.Orchestration.Lifecycle;

/// <summary>The argv a service runs, and whether Shoal appends <c>--urls</c> (for .NET projects it built).</summary>
/// <param name="Argv">The program and its arguments; <c>${PORT}</c> and friends are substituted per replica.</param>
/// <param name="PassUrls">Append <c>--urls http://127.0.0.1:PORT</c>.</param>
public sealed record ResolvedCommand(IReadOnlyList<string> Argv, bool PassUrls);
