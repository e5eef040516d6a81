using System.CommandLine;
using Shoal.Cli.Hosting;
using Shoal.Hosting;
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

            Console.WriteLine(await StackShutdown.StopAsync(StackFiles.StateDirectory(result.GetValue(file)), grace, m => Console.Error.WriteLine(m), ct));
            return 0;
        }));
        return command;
    }
}
