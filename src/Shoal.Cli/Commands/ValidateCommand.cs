using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Hosting;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal validate</c>: checks a stack file without starting anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = CommonOptions.Files();
        var profile = CommonOptions.Profiles();
        var envFile = CommonOptions.EnvFile();
        var command = new Command("validate", "Check a stack file and report every problem with its line and field.") { file, profile, envFile };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var loaded = StackFiles.Load(result.GetValue(file) ?? [], result.GetValue(envFile), result.GetValue(profile) ?? []);
            var stack = loaded.Stack;
            CommonOptions.WriteWarnings(stack.Warnings);
            await PreparedStack.ValidateAsync(loaded, m => Console.Error.WriteLine(m), ct);
            var replicas = stack.Services.Sum(s => s.Replicas);
            var functions = loaded.Functions is { } f ? $", {f.Functions.Count} function(s), {f.Routes.Count} function route(s)" : "";
            Console.WriteLine($"{loaded.DisplayName} is valid: stack '{stack.Name}', {stack.Services.Count} service(s), {replicas} replica(s){functions}, gateway {stack.Gateway.Listen.Display()}");
            return 0;
        }));
        return command;
    }
}
