using System.ComponentModel;
using System.Diagnostics;

namespace Shoal.Orchestration.Backing;

/// <summary>Runs one preparation step of a backing service (<c>initdb</c>, <c>chown</c>) to its end, with its output for the error.</summary>
internal static class BackingCommand
{
    // initdb fsyncs a fresh cluster: seconds on a slow disk, never minutes.
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="argv"/> in <paramref name="workingDirectory"/>, stdin empty; returns the exit code and stderr (or stdout).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(IReadOnlyList<string> argv, string workingDirectory, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // Admin tokens and the rest of the daemon's environment stay with the daemon.
        start.Environment.Clear();
        foreach (var (name, value) in Processes.ChildEnvironment.Build(new Dictionary<string, string>(), [], Environment.GetEnvironmentVariable))
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            return (-1, $"cannot run {argv[0]}: {ex.Message}");
        }

        using (process)
        using (var timer = new CancellationTokenSource(s_timeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken))
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var output = (await stderr.ConfigureAwait(false)).Trim();
            return (process.ExitCode, output.Length > 0 ? output : (await stdout.ConfigureAwait(false)).Trim());
        }
    }
}
