namespace Shoal.Functions.Configuration;

/// <summary>One function of <c>functions.yml</c>: how to start its runtime and how many instances it may have.</summary>
public sealed record FunctionDefinition
{
    /// <summary>The function's name (<c>AWS_LAMBDA_FUNCTION_NAME</c>, the Invoke API's <c>{name}</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The runtime's bootstrap: program and arguments, resolved against <see cref="CodeDirectory"/>.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The handler (<c>_HANDLER</c>), e.g. <c>function.handler</c>; empty when the runtime needs none.</summary>
    public string Handler { get; init; } = "";

    /// <summary>Absolute path of the code (<c>LAMBDA_TASK_ROOT</c>, the working directory).</summary>
    public required string CodeDirectory { get; init; }

    /// <summary>Memory in MB (<c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c>; the cgroup's limit where the machine gives one).</summary>
    public int MemoryMb { get; init; } = 128;

    /// <summary>How long one invocation may run before it fails and its instance is replaced (Lambda's default: 3 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a new instance may take to ask for its first invocation (Lambda's init phase: 10 s).</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Variables added to the instance's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Variables the instance takes from the agent's environment besides the base set (<c>inherit_env</c>).</summary>
    public IReadOnlyList<string> InheritEnvironment { get; init; } = [];

    /// <summary>The function's version (<c>AWS_LAMBDA_FUNCTION_VERSION</c>).</summary>
    public string Version { get; init; } = "$LATEST";

    /// <summary>Concurrency limits and the wait queue.</summary>
    public ConcurrencySettings Concurrency { get; init; } = new();

    /// <summary>An instance idle this long is stopped (unless needed for <see cref="ConcurrencySettings.MinWarm"/>).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An instance this old is replaced once idle.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How the instances are isolated and limited (<c>runtime</c>, <c>image</c>, <c>network</c>, <c>user</c>, <c>resources</c>, <c>idle</c>).</summary>
    public FunctionIsolation Isolation { get; init; } = FunctionIsolation.Default;

    /// <summary>Where the definition came from, for messages: <c>functions.yml:12</c>.</summary>
    public string Source { get; init; } = "";
}
