using System.CommandLine;
using Shoal.Cli.Hosting;
using Shoal.Orchestration.Processes;
using Shoal.Orchestration.State;
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

    /// <summary>Asks the daemon to stop, then makes sure every process it recorded is gone.</summary>
    public static async Task<int> StopAsync(string stateDirectory, TimeSpan grace, CancellationToken cancellationToken)
    {
        var state = StackState.Read(stateDirectory);
        if (state is null)
        {
            Console.WriteLine("Nothing is running for this stack.");
            return 0;
        }

        var deadline = TimeProvider.System.GetUtcNow() + grace;
        if (state.DaemonAlive)
        {
            PosixSignals.Send(state.Daemon.Pid, PosixSignals.Term);
            while (state.Daemon.IsAlive && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
            }

            if (state.Daemon.IsAlive)
            {
                await Console.Error.WriteLineAsync($"The stack daemon (pid {state.Daemon.Pid}) did not stop within {Durations.Format(grace)}; killing it.");
                PosixSignals.Send(state.Daemon.Pid, PosixSignals.Kill);
            }
        }

        // Whatever the daemon did not stop (it crashed, or was killed) is stopped here, by recorded pid and start time.
        var leftovers = await StackCleanup.StopAllAsync(state.Instances, TimeSpan.FromSeconds(5), cancellationToken);

        // The local agent lived in the daemon: function instances it could not stop (it was killed) go by their records.
        leftovers += Shoal.Functions.Agent.AgentLeftovers.KillAll(Path.Combine(stateDirectory, "agent"));
        var alive = state.Instances.Where(p => p.IsAlive).Select(p => $"{p.Id} (pid {p.Pid})").ToList();
        if (alive.Count > 0)
        {
            throw new CliException($"still running after down: {string.Join(", ", alive)}");
        }

        StackState.Delete(stateDirectory);
        Console.WriteLine(leftovers > 0
            ? $"Stack '{state.Stack}' stopped ({leftovers} orphaned process(es) stopped by pid)."
            : $"Stack '{state.Stack}' stopped.");
        return 0;
    }
}
