using System.CommandLine;
using Shoal.Hosting;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal logs</c>: the output of replicas and function instances, each line prefixed with the instance.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file") { Description = "The stack file (default: shoal.yml in the current directory)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until Ctrl-C." };
        var tail = new Option<int?>("--tail", "-n") { Description = "Print only the last N lines of each instance first." };
        var service = new Argument<string?>("service") { Description = "Only this service's replicas, or this function's instances.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logs", "Print the output of the stack's replicas and function instances.") { service, file, follow, tail };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var logs = LogFollower.ForStack(StackFiles.StateDirectory(result.GetValue(file)), result.GetValue(service), Console.Out);
            logs.PrintExisting(result.GetValue(tail));
            if (result.GetValue(follow))
            {
                await logs.FollowAsync(ct);
            }

            return 0;
        }));
        return command;
    }
}
