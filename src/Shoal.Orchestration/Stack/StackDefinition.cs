namespace Shoal.Orchestration.Stack;

/// <summary>A validated <c>shoal.yml</c>: the gateway and the services to run.</summary>
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

    /// <summary>The gateway's listeners.</summary>
    public required GatewayDefinition Gateway { get; init; }

    /// <summary>The services, in file order.</summary>
    public required IReadOnlyList<ServiceDefinition> Services { get; init; }

    /// <summary>Where the registry lives: <c>sqlite:/abs/path</c> (default <c>.shoal/registry.db</c>) or <c>etcd://host:port,…[/prefix]</c>.</summary>
    public string RegistryStore { get; init; } = "";

    /// <summary>Finds a service by name.</summary>
    public ServiceDefinition? FindService(string name) =>
        Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
