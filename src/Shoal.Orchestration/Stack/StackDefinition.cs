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

    /// <summary>Address ranges registrations may point into although they are link-local or metadata addresses (<c>registry.allow_addresses</c>).</summary>
    public IReadOnlyList<System.Net.IPNetwork> RegistryAllowAddresses { get; init; } = [];

    /// <summary>The functions the stack serves (<c>functions:</c>, or <c>functions.yml</c> next to the stack file).</summary>
    public FunctionsSettings Functions { get; init; } = new();

    /// <summary>Finds a service by name.</summary>
    public ServiceDefinition? FindService(string name) =>
        Services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}

/// <summary>Where a stack's functions are defined and which agent runs them.</summary>
public sealed record FunctionsSettings
{
    /// <summary>The absolute path of <c>functions.yml</c>, or null when the stack has no functions.</summary>
    public string? DefinitionsFile { get; init; }

    /// <summary>The absolute path of <c>routing.yml</c>, or null when no function has a route.</summary>
    public string? RoutingFile { get; init; }

    /// <summary><c>local</c> (an agent in the stack's own process) or the URL of an agent started with <c>shoal agent</c>.</summary>
    public string Agent { get; init; } = "local";

    /// <summary>How often the janitor sweeps the pools.</summary>
    public TimeSpan JanitorInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The AWS credentials whose SigV4 signatures the Invoke API verifies (<c>invoke_credentials</c>); null to accept only the admin token.</summary>
    public InvokeCredentials? InvokeCredentials { get; init; }
}

/// <summary>An access key the Invoke API checks SigV4 signatures against.</summary>
/// <param name="AccessKeyId">The access key id callers sign with.</param>
/// <param name="SecretAccessKey">Its secret.</param>
public sealed record InvokeCredentials(string AccessKeyId, string SecretAccessKey)
{
    /// <summary>Keeps the secret out of logs and exception messages.</summary>
    public override string ToString() => $"InvokeCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
