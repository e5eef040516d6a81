using Shoal.Functions.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Hosting;

/// <summary>A stack file and its functions' files, each read and validated once, as every later step uses them.</summary>
/// <param name="Stack">The stack file.</param>
/// <param name="Functions">The functions and their routes, or null when the stack has none.</param>
/// <param name="DisplayName">How messages name the stack file: as the user gave it, else its file name.</param>
public sealed record LoadedStack(StackDefinition Stack, FunctionsConfiguration? Functions, string DisplayName);
