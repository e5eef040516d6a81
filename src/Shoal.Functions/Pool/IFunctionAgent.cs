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
