using System.CommandLine;

namespace Shoal.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string?> File() => new("--file", "-f")
    {
        Description = "The stack file (default: shoal.yml in the current directory).",
    };
}
