using Shoal.Processes;
using Shoal.Orchestration.State;
using Shoal.Text;

namespace Shoal.Hosting;

/// <summary>Stops a stack from outside its daemon: <c>down</c>, and <c>up -d</c> giving up on a stack that did not become healthy.</summary>
public static class StackShutdown
{
    /// <summary>
    /// Asks the daemon (found by its lock, else by the state file) to stop, then makes sure every process the stack
    /// started is gone: those recorded in the state file, the local agent's function instances, and every process in
    /// the stack's cgroups or carrying its marker (what a dead daemon or a corrupt state file leaves behind).
    /// Returns the sentence that says what was stopped; <paramref name="warn"/> hears a daemon that had to be killed.
    /// </summary>
    /// <exception cref="StackException">Something still runs, or the state file was corrupt (after everything was stopped).</exception>
    public static async Task<string> StopAsync(string stateDirectory, TimeSpan grace, Action<string> warn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warn);
        var status = StackStatus.Find(stateDirectory);
        // Replicas and the local agent's function instances are two scopes: a restarted daemon sweeps its replicas'
        // leftovers but leaves function instances for the agent to adopt.
        ProcessScope[] scopes = [ProcessScope.ForStateDirectory(stateDirectory), ProcessScope.ForStateDirectory(Path.Combine(stateDirectory, "agent"))];
        var state = status.State;
        var deadline = TimeProvider.System.GetUtcNow() + grace;
        if (status.Daemon is { } daemon)
        {
            PosixSignals.Send(daemon.Pid, PosixSignals.Term);
            while (daemon.IsAlive && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }

            if (daemon.IsAlive)
            {
                warn($"The stack daemon (pid {daemon.Pid}) did not stop within {Durations.Format(grace)}; killing it.");
                PosixSignals.Send(daemon.Pid, PosixSignals.Kill);
            }
        }
        else if (status.LockHeld)
        {
            throw new StackException($"a process holds {DaemonLock.PathIn(stateDirectory)} but its record cannot be read; nothing was stopped");
        }

        // Whatever the daemon did not stop (it crashed, or was killed) is stopped here, by recorded pid and start time.
        var leftovers = state is null ? 0 : await StackCleanup.StopAllAsync(state.Instances, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);

        // The local agent lived in the daemon: function instances it could not stop (it was killed) go by their records.
        leftovers += Functions.Agent.AgentLeftovers.KillAll(Path.Combine(stateDirectory, "agent"));

        // Then the sweep: what no record names (setsid escapees, a lost or corrupt state file).
        leftovers += scopes.Sum(s => s.SweepAll());
        var alive = (state?.Instances ?? []).Where(p => p.IsAlive).Select(p => $"{p.Id} (pid {p.Pid})")
            .Concat(scopes.SelectMany(s => s.FindMarked()).Select(pid => $"pid {pid}"))
            .ToList();
        if (alive.Count > 0)
        {
            throw new StackException($"still running after down: {string.Join(", ", alive)}");
        }

        if (status.Corruption is { } corruption)
        {
            var kept = StackState.SetAside(stateDirectory);
            var stopped = status.Daemon is { } d ? $"the daemon (pid {d.Pid}, found by its lock)" : "no daemon was running";
            var file = kept is null ? "the stopping daemon removed it" : $"the file was kept as {kept}";
            throw new StackException($"{corruption.Message}. The stack was stopped anyway: {stopped}, {leftovers} other process(es) stopped by the sweep; {file}.");
        }

        if (state is null && status.Daemon is null)
        {
            return leftovers > 0
                ? $"Nothing was recorded as running, but {leftovers} leftover process(es) of this stack were found and stopped."
                : "Nothing is running for this stack.";
        }

        StackState.Delete(stateDirectory);
        var name = state?.Stack ?? Path.GetFileName(Path.GetDirectoryName(stateDirectory));
        return leftovers > 0
            ? $"Stack '{name}' stopped ({leftovers} orphaned process(es) stopped by pid or sweep)."
            : $"Stack '{name}' stopped.";
    }
}
