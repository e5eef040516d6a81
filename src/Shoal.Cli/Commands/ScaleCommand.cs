using System.CommandLine;
using System.Globalization;
using Shoal.Cli.Hosting;
using Shoal.Cli.Output;
using Shoal.Orchestration.Admin;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal scale SERVICE=N</c>: changes replica counts live; the other replicas keep running.</summary>
internal static class ScaleCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var noWait = new Option<bool>("--no-wait") { Description = "Return without waiting for new replicas to become healthy." };
        var assignments = new Argument<string[]>("assignments") { Description = "SERVICE=N pairs.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("scale", "Set the number of replicas of services in the running stack.") { assignments, file, noWait };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var targets = result.GetValue(assignments)!.Select(Parse).ToList();
            var (state, admin) = RunningStack.Connect(result.GetValue(file));
            using var _ = admin;
            foreach (var (service, replicas) in targets)
            {
                await admin.ScaleAsync(service, replicas, ct);
            }

            var outcome = result.GetValue(noWait)
                ? new HealthWait.Outcome(true, await admin.TryGetStackAsync(ct), null)
                : await HealthWait.WaitAsync(admin.TryGetStackAsync, () => !state.DaemonAlive, TimeSpan.FromSeconds(120), ct, () => admin.LastFailure);
            if (outcome.Snapshot is { } snapshot)
            {
                StatusTable.Write(snapshot, new Uri(state.Gateway), TimeProvider.System);
            }

            if (!outcome.Healthy)
            {
                throw new CliException(outcome.Reason ?? "the stack did not become healthy");
            }

            return 0;
        }));
        return command;
    }

    private static (string Service, int Replicas) Parse(string assignment)
    {
        var parts = assignment.Split('=', 2);
        if (parts.Length != 2 || parts[0].Length == 0 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > StackEndpoints.MaxReplicas)
        {
            throw new CliException($"'{assignment}' is not SERVICE=N with N from 0 to {StackEndpoints.MaxReplicas}");
        }

        return (parts[0], n);
    }
}
