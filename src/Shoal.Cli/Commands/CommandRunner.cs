using Shoal.Configuration;
using Shoal.Cli.Hosting;
using Shoal.Orchestration.Build;

namespace Shoal.Cli.Commands;

/// <summary>Runs a command body and turns expected failures into one clear line on stderr and exit code 1.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (ConfigFileException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is CliException or ProjectBuildException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }
}
