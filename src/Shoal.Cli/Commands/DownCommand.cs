using System.CommandLine;
using Shoal.Cli.Hosting;
using Shoal.Hosting;
using Shoal.Orchestration.Backing;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal down</c>: stops the stack and everything it started, checked by pid.</summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var timeout = new Option<string>("--timeout") { Description = "How long the stack may take to drain and stop before processes are killed.", DefaultValueFactory = _ => "60s" };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Also remove the stack's named volumes (.shoal/volumes/: the postgres and redis services' data)." };
        var command = new Command("down", "Stop the stack: drain, SIGTERM, then SIGKILL; no process is left behind.") { file, timeout, volumes };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            if (!Durations.TryParse(result.GetValue(timeout), out var grace))
            {
                throw new CliException($"--timeout: '{result.GetValue(timeout)}' is not a duration");
            }

            var state = StackFiles.StateDirectory(result.GetValue(file));
            Console.WriteLine(await StackShutdown.StopAsync(state, grace, m => Console.Error.WriteLine(m), ct));
            if (result.GetValue(volumes))
            {
                // Only once nothing runs: a server must not lose its files under it.
                var removed = BackingVolumes.Remove(state);
                Console.WriteLine(removed.Count == 0 ? "No volumes to remove." : $"Removed {removed.Count} volume(s): {string.Join(", ", removed)}.");
            }

            return 0;
        }));
        return command;
    }
}
