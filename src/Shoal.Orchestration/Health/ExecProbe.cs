using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Orchestration.Health;

/// <summary>
/// Runs a health check command (Compose's <c>healthcheck.test</c>, shoal.yml's <c>health.exec</c>) on the host: exit 0
/// passes. The replica's port is in <c>PORT</c>; a command still running at the deadline is killed with its children.
/// </summary>
/// <remarks>
/// It runs on the host for every runtime, also docker: a container's health command that needs the container's own
/// files (e.g. <c>pg_isready</c> inside a postgres image) is better written as an http or tcp check against the port.
/// </remarks>
internal static class ExecProbe
{
    // Enough of the command's output to say why it failed, not a log.
    private const int MaxOutput = 200;

    public static async Task<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken)
    {
        if (check.Command is not { Count: > 0 } argv)
        {
            return new HealthProbeResult(false, "no health check command");
        }

        var start = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = check.WorkingDirectory is { } wd && Directory.Exists(wd) ? wd : Environment.CurrentDirectory,
        };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // The replica's view of the environment, never the daemon's: its admin tokens must not reach a child.
        var variables = new Dictionary<string, string>(check.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (port > 0)
        {
            variables["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        }

        start.Environment.Clear();
        foreach (var (name, value) in ChildEnvironment.Build(variables, [], Environment.GetEnvironmentVariable))
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
            return new HealthProbeResult(false, $"cannot run '{argv[0]}': {ex.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the deadline and the kill.
                }

                throw;
            }

            // A child left in the background may hold the pipes open: the deadline bounds the reading too.
            var output = (await stderr.WaitAsync(cancellationToken).ConfigureAwait(false)).Trim();
            if (output.Length == 0)
            {
                output = (await stdout.WaitAsync(cancellationToken).ConfigureAwait(false)).Trim();
            }

            output = output.Length > MaxOutput ? output[..MaxOutput] + "…" : output;
            return process.ExitCode == 0
                ? new HealthProbeResult(true, "exit 0")
                : new HealthProbeResult(false, output.Length == 0 ? $"exit {process.ExitCode}" : $"exit {process.ExitCode}: {output}");
        }
    }
}
