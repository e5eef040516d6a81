using System.CommandLine;
using Shoal.Cli.Hosting;
using Shoal.Orchestration.State;
using Shoal.Processes;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal down</c>: stops the stack and everything it started, checked by pid.</summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var timeout = new Option<string>("--timeout") { Description = "How long the stack may take to drain and stop before processes are killed.", DefaultValueFactory = _ => "60s" };
        var command = new Command("down", "Stop the stack: drain, SIGTERM, then SIGKILL; no process is left behind.") { file, timeout };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            if (!Durations.TryParse(result.GetValue(timeout), out var grace))
            {
                throw new CliException($"--timeout: '{result.GetValue(timeout)}' is not a duration");
            }

            return await StopAsync(StackFiles.StateDirectory(result.GetValue(file)), grace, ct);
        }));
        return command;
    }

    /// <summary>
    /// Asks the daemon (found by its lock, else by the state file) to stop, then makes sure every process the stack
    /// started is gone: those recorded in the state file, the local agent's function instances, and every process in
    /// the stack's cgroups or carrying its marker (what a dead daemon or a corrupt state file leaves behind).
    /// </summary>
    /// <exception cref="CliException">Something still runs, or the state file was corrupt (after everything was stopped).</exception>
    public static async Task<int> StopAsync(string stateDirectory, TimeSpan grace, CancellationToken cancellationToken)
    {
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
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
            }

            if (daemon.IsAlive)
            {
                await Console.Error.WriteLineAsync($"The stack daemon (pid {daemon.Pid}) did not stop within {Durations.Format(grace)}; killing it.");
                PosixSignals.Send(daemon.Pid, PosixSignals.Kill);
            }
        }
        else if (status.LockHeld)
        {
            throw new CliException($"a process holds {DaemonLock.PathIn(stateDirectory)} but its record cannot be read; nothing was stopped");
        }

        // Whatever the daemon did not stop (it crashed, or was killed) is stopped here, by recorded pid and start time.
        var leftovers = state is null ? 0 : await StackCleanup.StopAllAsync(state.Instances, TimeSpan.FromSeconds(5), cancellationToken);

        // The local agent lived in the daemon: function instances it could not stop (it was killed) go by their records.
        leftovers += Shoal.Functions.Agent.AgentLeftovers.KillAll(Path.Combine(stateDirectory, "agent"));

        // Then the sweep: what no record names (setsid escapees, a lost or corrupt state file).
        leftovers += scopes.Sum(s => s.SweepAll());
        var alive = (state?.Instances ?? []).Where(p => p.IsAlive).Select(p => $"{p.Id} (pid {p.Pid})")
            .Concat(scopes.SelectMany(s => s.FindMarked()).Select(pid => $"pid {pid}"))
            .ToList();
        if (alive.Count > 0)
        {
            throw new CliException($"still running after down: {string.Join(", ", alive)}");
        }

        if (status.Corruption is { } corruption)
        {
            var kept = StackState.SetAside(stateDirectory);
            var stopped = status.Daemon is { } d ? $"the daemon (pid {d.Pid}, found by its lock)" : "no daemon was running";
            var file = kept is null ? "the stopping daemon removed it" : $"the file was kept as {kept}";
            throw new CliException($"{corruption.Message}. The stack was stopped anyway: {stopped}, {leftovers} other process(es) stopped by the sweep; {file}.");
        }

        if (state is null && status.Daemon is null)
        {
            Console.WriteLine(leftovers > 0
                ? $"Nothing was recorded as running, but {leftovers} leftover process(es) of this stack were found and stopped."
                : "Nothing is running for this stack.");
            return 0;
        }

        StackState.Delete(stateDirectory);
        var name = state?.Stack ?? Path.GetFileName(Path.GetDirectoryName(stateDirectory));
        Console.WriteLine(leftovers > 0
            ? $"Stack '{name}' stopped ({leftovers} orphaned process(es) stopped by pid or sweep)."
            : $"Stack '{name}' stopped.");
        return 0;
    }
}
