using System.CommandLine;
using Shoal.Cli.Commands;

// Socket continuations run on the epoll thread instead of hopping to the thread pool: on two shared cores that saves a
// context switch per request for the load generator. Read once, at the first socket operation, so set it before any.
if (args.Length > 0 && args[0] == "bench")
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var root = new RootCommand("Shoal: run, route, scale, deploy and measure services on one machine.");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(PsCommand.Create());
root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(ScaleCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
