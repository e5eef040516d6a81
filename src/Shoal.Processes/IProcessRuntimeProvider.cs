namespace Shoal.Processes;

/// <summary>Hands out the runtime for each <see cref="RuntimeKind"/>, created on first use, so a stack that never asks for Docker never looks for it.</summary>
public interface IProcessRuntimeProvider
{
    /// <summary>The runtime of that kind.</summary>
    /// <exception cref="ProcessStartException">The runtime cannot run on this machine; the message names what to install or start.</exception>
    IProcessRuntime Get(RuntimeKind kind);
}
