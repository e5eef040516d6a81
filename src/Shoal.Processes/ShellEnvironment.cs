using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Shoal.Processes;

/// <summary>
/// The environment a program gets when <c>/bin/sh</c> (dash) execs it, as the host runtime's launcher always did: what
/// its direct spawn passes so that a program sees the same either way.
/// </summary>
/// <remarks>
/// dash drops the variables whose names it cannot hold, exports <c>PWD</c> (the one given when it names the working
/// directory, else the physical path), and resets <c>IFS</c>, <c>OPTIND</c> and <c>PPID</c> when given.
/// </remarks>
internal static partial class ShellEnvironment
{
    /// <summary><paramref name="environment"/> as dash would pass it on from <paramref name="workingDirectory"/>, its parent being this process.</summary>
    public static Dictionary<string, string> AsShellPassesIt(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (NamePattern().IsMatch(name))
            {
                result[name] = value;
            }
        }

        var physical = RealPath(workingDirectory) ?? workingDirectory;
        if (!(result.TryGetValue("PWD", out var pwd) && pwd.StartsWith('/') && RealPath(pwd) == physical))
        {
            result["PWD"] = physical;
        }

        ResetWhenGiven(result, "IFS", " \t\n");
        ResetWhenGiven(result, "OPTIND", "1");
        ResetWhenGiven(result, "PPID", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return result;
    }

    private static void ResetWhenGiven(Dictionary<string, string> environment, string name, string value)
    {
        if (environment.ContainsKey(name))
        {
            environment[name] = value;
        }
    }

    // realpath(3): symbolic links resolved, as getcwd gives the directory it is in.
    private static unsafe string? RealPath(string path)
    {
        var resolved = RealPath(path, null);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint RealPath(string path, byte* resolved);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();
}
