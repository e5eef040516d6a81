using Shoal.Processes;

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

    /// <summary>The runtime that starts the instance.</summary>
    public RuntimeKind Runtime { get; init; } = RuntimeKind.Process;

    /// <summary>The root file system (oci) or image name (docker); null for the host's directories.</summary>
    public string? Image { get; init; }

    /// <summary>The network the instance sees.</summary>
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>Who the runtime process runs as, as written (name, uid or uid:gid); null for the agent's default.</summary>
    public string? User { get; init; }

    /// <summary>The CPU quota in CPUs, or null.</summary>
    public double? Cpus { get; init; }

    /// <summary>The most tasks the instance may have, or null for <see cref="DefaultMaxProcesses"/>.</summary>
    public int? MaxProcesses { get; init; }

    /// <summary>True to freeze the instance shortly after it turns idle (<c>idle: freeze</c>).</summary>
    public bool FreezeWhenIdle { get; init; }

    /// <summary>Tasks per instance unless the function says otherwise: enough for a runtime and its helpers, few enough to stop a fork bomb.</summary>
    public const int DefaultMaxProcesses = 512;
}
