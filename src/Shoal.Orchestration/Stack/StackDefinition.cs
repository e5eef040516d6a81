using Shoal.Configuration;

namespace Shoal.Orchestration.Stack;

/// <summary>A validated <c>shoal.yml</c>: the services to run, and the sections the features read.</summary>
public sealed record StackDefinition
{
    /// <summary>The stack name (defaults to the directory name).</summary>
    public required string Name { get; init; }

    /// <summary>The absolute path of the stack file.</summary>
    public required string FilePath { get; init; }

    /// <summary>The directory of the stack file; relative paths resolve against it.</summary>
    public string Directory => Path.GetDirectoryName(FilePath)!;

    /// <summary>Where Shoal keeps state, logs and build outputs for this stack: <c>.shoal/</c> next to the file.</summary>
    public string StateDirectory => Path.Combine(Directory, ".shoal");

    /// <summary>The services, in file order.</summary>
    public required IReadOnlyList<ServiceDefinition> Services { get; init; }

    /// <summary>What the features' section readers read (<c>gateway:</c>, <c>registry:</c>, <c>functions:</c>, …), by type.</summary>
    public SectionSet Sections { get; init; } = SectionSet.Empty;

    /// <summary>Where the stack's gateway listens (set by the daemon), for the dependants' discovery variables; null: none are set.</summary>
    public Uri? GatewayListen { get; init; }

    /// <summary>What the file asks that reads as something else (an unset variable), for commands to show before they act.</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];

    /// <summary>Finds a service by name.</summary>
    public ServiceDefinition? FindService(string name) =>
        Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
