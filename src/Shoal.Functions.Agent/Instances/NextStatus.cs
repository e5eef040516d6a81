namespace Shoal.Functions.Agent.Instances;

/// <summary>How the runtime's <c>next</c> ended (see <see cref="InvocationSlot.TakeNextAsync"/>).</summary>
internal enum NextStatus
{
    /// <summary>It got an event to run.</summary>
    Handed,

    /// <summary>Another <c>next</c> is already waiting: one event goes to one <c>next</c>.</summary>
    AlreadyWaiting,

    /// <summary>The instance is over: no event will come.</summary>
    Terminated,

    /// <summary>The runtime hung up while it waited.</summary>
    Abandoned,
}
