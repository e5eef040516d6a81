using System.Diagnostics;

namespace Shoal.Processes.Networking;

/// <summary>Runs iproute2's <c>ip</c> (and <c>nsenter</c>): the only tools the isolated network needs.</summary>
internal static class IpTool
{
    public static string Ip { get; } = Find("ip");

    public static string Nsenter { get; } = Find("nsenter");

    /// <summary>Runs the command and returns its output.</summary>
    /// <exception cref="ProcessStartException">It failed, or took more than 10 s.</exception>
    public static string Run(string program, params string[] arguments) => RunWithInput(program, null, arguments);

    /// <summary>Runs <c>ip -batch -</c> over <paramref name="commands"/>.</summary>
    public static void Batch(params string[] commands) => RunWithInput(Ip, string.Join('\n', commands) + "\n", "-batch", "-");

    /// <summary>Runs the command and ignores a failure (removing what may already be gone).</summary>
    public static void TryRun(string program, params string[] arguments)
    {
        try
        {
            Run(program, arguments);
        }
        catch (ProcessStartException)
        {
        }
    }

    private static string RunWithInput(string program, string? input, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(startInfo)!;
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                throw new ProcessStartException($"network: isolated: {Path.GetFileName(program)} did not finish within 10 s.");
            }

            return process.ExitCode == 0
                ? output.Result
                : throw new ProcessStartException($"network: isolated: {Path.GetFileName(program)} {string.Join(' ', arguments.Take(4))}… failed: {error.Result.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProcessStartException($"network: isolated needs iproute2 and util-linux ({program}): {ex.Message}", ex);
        }
    }

    private static string Find(string name) =>
        new[] { "/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/" }.Select(d => d + name).FirstOrDefault(File.Exists) ?? name;
}
