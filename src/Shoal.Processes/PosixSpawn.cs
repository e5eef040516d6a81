using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>
/// posix_spawn(3) as the leader of a new session, and a wait for its exit: what System.Diagnostics.Process cannot do
/// (it has no way to call setsid in the child), without a <c>setsid</c> program in the chain.
/// </summary>
/// <remarks>
/// glibc (2.26+) starts the child with clone(CLONE_VM | CLONE_VFORK), as .NET's own Process.Start does with vfork, and
/// reports a failed exec as the call's result. The child's attributes are <see cref="NativeSpawn"/>'s; descriptors are
/// the daemon's, all opened close-on-exec by .NET.
/// </remarks>
internal static unsafe partial class PosixSpawn
{
    private const int Interrupted = 4;

    /// <summary>Starts <paramref name="program"/> (an absolute path) in <paramref name="workingDirectory"/> as a session leader; its pid.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">posix_spawn failed (the errno it returned).</exception>
    public static int Start(string program, IReadOnlyList<string> arguments, IEnumerable<KeyValuePair<string, string>> environment, string workingDirectory)
    {
        using var spawn = new NativeSpawn(program, [program, .. arguments], environment, workingDirectory);
        NativeSpawn.Check(spawn.Spawn(out var pid));
        return pid;
    }

    /// <summary>Waits (blocking) for the child <paramref name="pid"/> to end; its exit code, or 128 + the signal that ended it, as Process.ExitCode gives them.</summary>
    /// <returns>The exit code, or -1 when the child was reaped elsewhere (the daemon then cannot know how it ended).</returns>
    public static int Wait(int pid)
    {
        int status;
        while (true)
        {
            if (WaitPid(pid, &status, 0) == pid)
            {
                break;
            }

            if (Marshal.GetLastPInvokeError() != Interrupted)
            {
                return -1;
            }
        }

        // WIFEXITED: the low seven bits are zero; WIFSIGNALED otherwise (stopped children are not asked for).
        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
}
