using Shoal.Orchestration.State;

namespace Shoal.Hosting;

/// <summary>
/// What runs for a stack directory, found without trusting the state file alone: the daemon by its lock (and by the
/// state file for a daemon that predates the lock), the state file as read, or why it could not be read.
/// </summary>
/// <param name="StateDirectory">The stack's <c>.shoal</c> directory.</param>
/// <param name="State">The state file, or null when there is none or it is corrupt.</param>
/// <param name="Corruption">Why the state file could not be used, or null.</param>
/// <param name="Daemon">The live daemon, or null when none runs.</param>
/// <param name="LockHeld">True when a process holds the daemon lock, even one whose record could not be read.</param>
public sealed record StackStatus(string StateDirectory, StackState? State, CorruptStateException? Corruption, ProcessRecord? Daemon, bool LockHeld)
{
    /// <summary>Looks at the lock and the state file of <paramref name="stateDirectory"/>.</summary>
    public static StackStatus Find(string stateDirectory)
    {
        StackState? state = null;
        CorruptStateException? corruption = null;
        try
        {
            state = StackState.Read(stateDirectory);
        }
        catch (CorruptStateException ex)
        {
            corruption = ex;
        }

        var holder = DaemonLock.FindHolder(stateDirectory);

        // A daemon writes its record right after it takes the lock: give a starting one that moment.
        if (holder is { Pid: null })
        {
            SpinWait.SpinUntil(() => (holder = DaemonLock.FindHolder(stateDirectory)) is null or { Pid: not null }, TimeSpan.FromSeconds(1));
        }

        var daemon = holder is { Pid: { } pid }
            ? new ProcessRecord("shoal", pid, holder.StartTime)
            : state is { DaemonAlive: true } ? state.Daemon : null;
        return new StackStatus(stateDirectory, state, corruption, daemon, holder is not null);
    }

    /// <summary>The sentence that describes a running daemon, naming how it was found.</summary>
    public string DaemonDescription =>
        Daemon is { } d ? $"pid {d.Pid}" : LockHeld ? $"a process holds {DaemonLock.PathIn(StateDirectory)}" : "none";
}
