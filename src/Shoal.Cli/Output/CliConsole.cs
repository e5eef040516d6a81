using Spectre.Console;

namespace Shoal.Cli.Output;

/// <summary>The console the tables are written to.</summary>
internal static class CliConsole
{
    /// <summary>
    /// The terminal's console, or for piped output (scripts, tests), which has no terminal width, one 200 columns wide
    /// without colours: Spectre would fold the tables into 80 columns and elide cells, and docker ps does not truncate.
    /// </summary>
    public static IAnsiConsole Create()
    {
        if (!System.Console.IsOutputRedirected)
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        return console;
    }
}
