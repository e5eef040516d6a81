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
