using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>
/// Drops the calling thread, and only it, to a user as <c>setpriv --reuid U --regid G --clear-groups --no-new-privs</c>
/// leaves a process: no supplementary groups, real, effective and saved ids all the user's, no capabilities, no way back.
/// </summary>
/// <remarks>
/// The kernel keeps credentials per thread; glibc's setuid family (setgroups, setresgid, setresuid) applies them to every
/// thread of the process (its setxid broadcast), which would drop the daemon: the raw system calls change the caller
/// only. The numbers are the kernel's for x86_64 (asm/unistd_64.h) and arm64 (asm-generic/unistd.h); on any other
/// architecture <see cref="IsSupported"/> is false. syscall(2) is called through a pointer looked up at first use of
/// this class (by a thread that is still root), and <see cref="Drop"/> allocates nothing: after it the thread is no
/// longer one the runtime can trust with anything.
/// </remarks>
internal static unsafe class ThreadCredentials
{
    private const int NoNewPrivileges = 38;

    private static readonly (long SetGroups, long SetResGid, long SetResUid, long Prctl)? s_numbers = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (116, 119, 117, 157),
        Architecture.Arm64 => (159, 149, 147, 167),
        _ => null,
    };

    private static readonly delegate* unmanaged<nint, nint, nint, nint, nint, nint, nint> s_syscall =
        s_numbers is null ? null : (delegate* unmanaged<nint, nint, nint, nint, nint, nint, nint>)NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), "syscall");

    /// <summary>True when this architecture's system call numbers are known.</summary>
    public static bool IsSupported => s_syscall != null;

    /// <summary>
    /// Clears the calling thread's supplementary groups, sets its real, effective and saved gids to <paramref name="gid"/>
    /// then its uids to <paramref name="uid"/> (the kernel clears the capabilities on that change from root), and sets
    /// no_new_privs; false (the thread then half-dropped, to be thrown away) when a call failed.
    /// </summary>
    public static bool Drop(uint uid, uint gid)
    {
        var (setGroups, setResGid, setResUid, prctl) = s_numbers!.Value;

        // Groups and gids first: once the uid is not root, the thread may change neither.
        return s_syscall((nint)setGroups, 0, 0, 0, 0, 0) == 0
            && s_syscall((nint)setResGid, (nint)gid, (nint)gid, (nint)gid, 0, 0) == 0
            && s_syscall((nint)setResUid, (nint)uid, (nint)uid, (nint)uid, 0, 0) == 0
            && s_syscall((nint)prctl, NoNewPrivileges, 1, 0, 0, 0) == 0;
    }
}
