using System.Diagnostics;
using Shoal.Files;

namespace Shoal.Cli.Hosting;

/// <summary>Starts this same program again as a background daemon in its own session, output to a log file.</summary>
internal static class DetachedLauncher
{
    public static Process Start(IEnumerable<string> arguments, string logFile, string workingDirectory)
    {
        // The shell's >> would create the log with the umask's mode: create it private first.
        PrivateFiles.Touch(logFile);
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null");
        startInfo.ArgumentList.Add("shoal");
        startInfo.ArgumentList.Add(logFile);
        foreach (var part in SelfCommand())
        {
            startInfo.ArgumentList.Add(part);
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new CliException("could not start the stack daemon");
    }

    /// <summary>How to run this program: the apphost, or <c>dotnet shoal.dll</c>.</summary>
    private static string[] SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new CliException("cannot tell where this program is");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? [processPath, typeof(DetachedLauncher).Assembly.Location]
            : [processPath];
    }
}
