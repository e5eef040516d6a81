namespace Shoal.Functions.Agent.Instances;

/// <summary>What an instance runs: the function as its caller described it (the agent's own form of the wire's <c>FunctionSpec</c>).</summary>
internal sealed record FunctionConfiguration
{
    /// <summary>The function's name.</summary>
    public required string Name { get; init; }

    /// <summary>The runtime's bootstrap: program and arguments (at least the program).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The handler (<c>_HANDLER</c>).</summary>
    public string Handler { get; init; } = "";

    /// <summary><c>LAMBDA_TASK_ROOT</c> and the working directory.</summary>
    public string CodeDirectory { get; init; } = "";

    /// <summary>The memory size in MB.</summary>
    public int MemoryMb { get; init; }

    /// <summary>The invocation timeout in ms; 0 for the default (3 s).</summary>
    public int TimeoutMs { get; init; }

    /// <summary>The init timeout in ms; 0 for the default (10 s).</summary>
    public int InitTimeoutMs { get; init; }

    /// <summary>The function's environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The function's version; empty for <c>$LATEST</c>.</summary>
    public string Version { get; init; } = "";

    /// <summary>Names the instance takes from the agent's environment besides the base set.</summary>
    public IReadOnlyList<string> InheritEnv { get; init; } = [];
}
