using System.CommandLine;
using Shoal.Cli.Commands;
using Shoal.Hosting;

// Before any socket operation: the runtime reads the setting once.
if (args.Length > 0 && args[0] is "bench" or "up")
{
    InlineCompletions.Enable();
}

var root = new RootCommand("Shoal: run, route, scale, deploy and measure services on one machine.");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(PsCommand.Create());
root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(EventsCommand.Create());
root.Subcommands.Add(ScaleCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(RegistryCommand.Create());
root.Subcommands.Add(DeployCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A usage error (unknown option, missing argument) exits 2, as getopt-style tools do; a refusal exits 1.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine($"Run '{string.Join(' ', ["shoal", .. CommandPath(parsed.CommandResult)])} --help' for usage.");
    return 2;
}

try
{
    // Commands that run until a signal (up, agent, registry watch) order their own shutdown: System.CommandLine must not
    // end the process two seconds after SIGTERM, halfway through a drain. Exceptions are ours to report (exit 70).
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException ex) when (ex.InnerException is not TimeoutException)
{
    return 130;
}
catch (Exception ex)
{
    return InternalError.Report(ex);
}

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
{
    var names = new Stack<string>();
    for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
    {
        names.Push(r.Command.Name);
    }

    return names;
}
