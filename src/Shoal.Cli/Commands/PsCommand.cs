using System.CommandLine;
using System.Text.Json;
using Shoal.Cli.Hosting;
using Shoal.Cli.Output;
using Shoal.Orchestration.Admin;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal ps</c>: the replicas of a running stack.</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var json = new Option<bool>("--json") { Description = "Print the stack snapshot as JSON." };
        var command = new Command("ps", "List the replicas of the running stack with pid, port, state, restarts, runtime, limits and live usage, and its functions' pools.") { file, json };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var (state, admin) = RunningStack.Connect(result.GetValue(file));
            using var _ = admin;
            var snapshot = await admin.TryGetStackAsync(ct) ?? throw new CliException(admin.LastFailure ?? $"the admin API at {state.Admin} does not answer");
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(snapshot, StackJson.Options));
            }
            else
            {
                StatusTable.Write(snapshot, new Uri(state.Gateway), TimeProvider.System);
                if (await admin.TryGetFunctionsAsync(ct) is { Count: > 0 } pools)
                {
                    FunctionTable.Write(pools);
                }
            }

            return 0;
        }));
        return command;
    }
}
