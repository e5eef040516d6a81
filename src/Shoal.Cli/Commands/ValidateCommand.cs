using System.CommandLine;
using Shoal.Cli.Output;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal validate</c>: checks a stack file without starting anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = CommonOptions.File();
        var command = new Command("validate", "Check a stack file and report every problem with its line and field.") { file };
        command.SetAction(result => CommandRunner.RunAsync(() =>
        {
            var stack = StackFiles.Load(result.GetValue(file));
            var replicas = stack.Services.Sum(s => s.Replicas);
            Console.WriteLine($"{result.GetValue(file) ?? Path.GetFileName(stack.FilePath)} is valid: stack '{stack.Name}', {stack.Services.Count} service(s), {replicas} replica(s), gateway {stack.Gateway.Listen.Display()}");
            return Task.FromResult(0);
        }));
        return command;
    }
}
