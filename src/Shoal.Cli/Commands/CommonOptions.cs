using System.CommandLine;
using Shoal.Configuration;

namespace Shoal.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string?> File() => new("--file", "-f")
    {
        Description = "The stack file (default: shoal.yml in the current directory).",
    };

    /// <summary>-f for the commands that read a stack to start or check it: Compose's several files, merged in order.</summary>
    public static Option<string[]> Files() => new("--file", "-f")
    {
        Description = "The stack file (default: shoal.yml, else compose.yaml, in the current directory); several Compose files are merged in order.",
        DefaultValueFactory = _ => [],
    };

    public static Option<string[]> Profiles() => new("--profile")
    {
        Description = "Enable the Compose services of this profile (repeatable; also COMPOSE_PROFILES).",
        DefaultValueFactory = _ => [],
    };

    public static Option<string?> EnvFile() => new("--env-file")
    {
        Description = "The variables the stack file's ${NAME} read, under the environment's (default: .env beside the stack file).",
    };

    /// <summary>Writes what the file asks that reads as something else (an unset variable), one line each, before a command acts.</summary>
    public static void WriteWarnings(IEnumerable<ConfigError> warnings)
    {
        foreach (var warning in warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }
    }
}
