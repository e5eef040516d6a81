using Shoal.Configuration;
using Shoal.Cli.Hosting;
using Shoal.Hosting;
using Shoal.Orchestration.Build;

namespace Shoal.Cli.Commands;

/// <summary>
/// Runs a command body: expected failures (a bad stack file, a daemon that is not running…) become one clear line on
/// stderr and exit code 1; anything else is an internal error, exit code 70 with its trace in a log file.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            // A test seam (internal for tests): makes any command fail as a bug would, to check how it is reported.
            if (Environment.GetEnvironmentVariable(InternalError.TestVariable) is { Length: > 0 } simulated)
            {
                throw new InvalidOperationException(simulated);
            }

            return await body();
        }
        catch (ConfigFileException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is CliException or StackException or ProjectBuildException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ex.InnerException is TimeoutException)
        {
            // Cancellation (Ctrl+C) is no error; an HTTP timeout surfaces as a cancellation too, and is one.
            return InternalError.Report(ex);
        }
    }
}
