using System.CommandLine;
using Shoal.Cli.Commands;

var root = new RootCommand("Shoal: run, route, scale, deploy and measure services on one machine.");
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(PsCommand.Create());
root.Subcommands.Add(LogsCommand.Create());
root.Subcommands.Add(ScaleCommand.Create());
root.Subcommands.Add(ValidateCommand.Create());
return await root.Parse(args).InvokeAsync();
