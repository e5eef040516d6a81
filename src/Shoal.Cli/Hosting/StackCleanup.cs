using Shoal.Orchestration.Processes;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.State;

namespace Shoal.Cli.Hosting;

/// <summary>Stops what a stack left running, by the pids recorded in its state file.</summary>
internal static class StackCleanup
{
    /// <summary>Before a new start: a dead daemon's replicas are stopped; a live daemon means the stack already runs.</summary>
    /// <exception cref="CliException">The stack is already running.</exception>
    public static void RemoveLeftovers(StackDefinition stack)
    {
        var state = StackState.Read(stack.StateDirectory);
        if (state is null)
        {
            return;
        }

        if (state.DaemonAlive && state.Daemon.Pid != Environment.ProcessId)
        {
            throw new CliException($"stack '{stack.Name}' is already running (pid {state.Daemon.Pid}); run 'shoal down' first.");
        }

        StopAll(state.Instances, TimeSpan.FromSeconds(5));
        StackState.Delete(stack.StateDirectory);
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
