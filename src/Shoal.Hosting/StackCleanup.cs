using Shoal.Orchestration.Stack;
using Shoal.Orchestration.State;
using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>Stops what a stack left running, by the pids recorded in its state file.</summary>
internal static class StackCleanup
{
    /// <summary>
    /// Before a new start (the caller holds the daemon lock): a dead daemon's replicas are stopped, by record and by
    /// the sweep of the stack's scope; a live daemon from before the lock means the stack already runs. A corrupt state
    /// file is reported and set aside. Function instances are left to the agent, which adopts them.
    /// </summary>
    /// <exception cref="StackException">The stack is already running.</exception>
    public static void RemoveLeftovers(StackDefinition stack, ProcessScope replicas)
    {
        StackState? state = null;
        try
        {
            state = StackState.Read(stack.StateDirectory);
        }
        catch (CorruptStateException ex)
        {
            var kept = StackState.SetAside(stack.StateDirectory);
            Console.Error.WriteLine($"warning: {ex.Message}; it was set aside as {kept}, and the stack's leftover processes are found by their cgroups and marker instead.");
        }

        if (state is not null)
        {
            if (state.DaemonAlive && state.Daemon.Pid != Environment.ProcessId)
            {
                throw new StackException($"stack '{stack.Name}' is already running (pid {state.Daemon.Pid}); run 'shoal down' first.");
            }

            StopAll(state.Instances, TimeSpan.FromSeconds(5));
            StackState.Delete(stack.StateDirectory);
        }

        replicas.SweepAll();
    }

    /// <summary>SIGTERM to every live process group, SIGKILL after <paramref name="grace"/>; returns the ones that were alive.</summary>
    public static async Task<int> StopAllAsync(IReadOnlyList<ProcessRecord> processes, TimeSpan grace, CancellationToken cancellationToken)
    {
        var alive = processes.Where(p => p.IsAlive).ToList();
        foreach (var p in alive)
        {
            PosixSignals.Send(-p.Pid, PosixSignals.Term);
            PosixSignals.Send(-p.Pid, PosixSignals.Cont);
        }

        var deadline = TimeProvider.System.GetUtcNow() + grace;
        while (alive.Any(p => p.IsAlive) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
        }

        foreach (var p in alive.Where(p => p.IsAlive))
        {
            PosixSignals.Send(-p.Pid, PosixSignals.Kill);
            PosixSignals.Send(p.Pid, PosixSignals.Kill);
        }

        return alive.Count;
    }

    private static void StopAll(IReadOnlyList<ProcessRecord> processes, TimeSpan grace) =>
        StopAllAsync(processes, grace, CancellationToken.None).GetAwaiter().GetResult();
}
