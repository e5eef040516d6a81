namespace Shoal.Functions.Configuration;

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
