using Shoal.Functions.Configuration;

namespace Shoal.Functions.Pool;

/// <summary>The pool's view of an agent: start, list and destroy instances. The gRPC client is the real one.</summary>
public interface IFunctionAgent
{
    /// <summary>Starts the instance <paramref name="id"/> of <paramref name="function"/> unless it runs already.</summary>
    /// <exception cref="FunctionStartException">The agent could not start it.</exception>
    Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken);

    /// <summary>Stops and removes an instance; unknown ids are fine.</summary>
    Task DestroyAsync(string id, CancellationToken cancellationToken);

    /// <summary>The owner's instances as the agent knows them.</summary>
    Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken);
}

/// <summary>The state of an instance as its agent reports it.</summary>
public enum AgentInstanceState
{
    /// <summary>Its runtime is initializing.</summary>
    Starting,

    /// <summary>Ready for, or running, an invocation.</summary>
    Running,

    /// <summary>Frozen.</summary>
    Paused,

    /// <summary>Its process has exited.</summary>
    Exited,

    /// <summary>Left by an earlier run of the agent, without a Runtime API.</summary>
    Orphaned,
}

/// <summary>An instance as the agent reports it.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="InvokeUrl">Where invocations go.</param>
/// <param name="State">Its state.</param>
/// <param name="Pid">Its process id.</param>
public sealed record AgentInstance(string Id, string Function, string InvokeUrl, AgentInstanceState State, int Pid);

/// <summary>An instance could not be started.</summary>
public sealed class FunctionStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FunctionStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FunctionStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public FunctionStartException()
    {
    }
}

/// <summary>Every instance is busy and the wait queue is full, or the wait ran past its deadline.</summary>
public sealed class FunctionThrottledException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FunctionThrottledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public FunctionThrottledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public FunctionThrottledException()
    {
    }
}
