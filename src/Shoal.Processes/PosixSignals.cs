using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>Signal numbers and kill(2) for process groups, which System.Diagnostics.Process does not offer.</summary>
public static partial class PosixSignals
{
    /// <summary>SIGKILL.</summary>
    public const int Kill = 9;

    /// <summary>SIGTERM.</summary>
    public const int Term = 15;

    /// <summary>SIGCONT.</summary>
    public const int Cont = 18;

    /// <summary>SIGSTOP.</summary>
    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to a pid (or, negative, to a process group); false when nothing received it.</summary>
    public static bool Send(int pid, int signal) => SysKill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int sig);
}
