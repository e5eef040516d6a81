using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>
/// posix_spawn(3) as the leader of a new session, and a wait for its exit: what System.Diagnostics.Process cannot do
/// (it has no way to call setsid in the child), without a <c>setsid</c> program in the chain.
/// </summary>
/// <remarks>
/// glibc (2.26+) starts the child with clone(CLONE_VM | CLONE_VFORK), as .NET's own Process.Start does with vfork, and
/// reports a failed exec as the call's result. The child gets every signal at its default action and an empty signal
/// mask (the runtime ignores SIGPIPE and blocks some signals on its threads); descriptors are the daemon's, all opened
/// close-on-exec by .NET.
/// </remarks>
internal static unsafe partial class PosixSpawn
{
    // glibc's flags (spawn.h).
    private const short SetSignalDefaults = 0x04;
    private const short SetSignalMask = 0x08;
    private const short SetSession = 0x80;

    // The opaque types' sizes on glibc x86_64 and arm64 are 336 (attributes), 80 (file actions) and 128 (sigset_t):
    // room to spare.
    private const int AttributesSize = 1024;
    private const int FileActionsSize = 512;
    private const int SignalSetSize = 256;

    private const int Interrupted = 4;

    /// <summary>Starts <paramref name="program"/> (an absolute path) in <paramref name="workingDirectory"/> as a session leader; its pid.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">posix_spawn failed (the errno it returned).</exception>
    public static int Start(string program, IReadOnlyList<string> arguments, IEnumerable<KeyValuePair<string, string>> environment, string workingDirectory)
    {
        var argv = ToNative([program, .. arguments]);
        var envp = ToNative([.. environment.Select(e => e.Key + "=" + e.Value)]);
        var path = Marshal.StringToCoTaskMemUTF8(program);
        var directory = Marshal.StringToCoTaskMemUTF8(workingDirectory);
        var attributes = NativeMemory.AllocZeroed(AttributesSize);
        var actions = NativeMemory.AllocZeroed(FileActionsSize);
        var signals = NativeMemory.AllocZeroed(SignalSetSize);
        try
        {
            Check(SpawnAttributesInit(attributes));
            Check(FileActionsInit(actions));
            try
            {
                // Every signal, 1 to 64, as bits 0 to 63 of the set: glibc's sigfillset leaves out the two it uses
                // itself (32 and 33), which its spawn would then leave ignored in the child, and through its exec.
                *(ulong*)signals = ulong.MaxValue;
                Check(SpawnAttributesSetSignalDefaults(attributes, signals));
                Check(SignalEmptySet(signals) == 0 ? 0 : Marshal.GetLastPInvokeError());
                Check(SpawnAttributesSetSignalMask(attributes, signals));
                Check(SpawnAttributesSetFlags(attributes, SetSignalDefaults | SetSignalMask | SetSession));
                Check(FileActionsAddChangeDirectory(actions, (byte*)directory));

                int pid;
                Check(Spawn(&pid, (byte*)path, actions, attributes, argv, envp));
                return pid;
            }
            finally
            {
                _ = FileActionsDestroy(actions);
                _ = SpawnAttributesDestroy(attributes);
            }
        }
        finally
        {
            NativeMemory.Free(signals);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            Marshal.FreeCoTaskMem(directory);
            Marshal.FreeCoTaskMem(path);
            Free(envp);
            Free(argv);
        }
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

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new System.ComponentModel.Win32Exception(error);
        }
    }

    private static byte** ToNative(IReadOnlyList<string> strings)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)(strings.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < strings.Count; i++)
        {
            array[i] = (byte*)Marshal.StringToCoTaskMemUTF8(strings[i]);
        }

        return array;
    }

    private static void Free(byte** array)
    {
        for (var p = array; *p != null; p++)
        {
            Marshal.FreeCoTaskMem((nint)(*p));
        }

        NativeMemory.Free(array);
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int Spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int SpawnAttributesInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int SpawnAttributesDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int SpawnAttributesSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int SpawnAttributesSetSignalDefaults(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int SpawnAttributesSetSignalMask(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static partial int FileActionsAddChangeDirectory(void* actions, byte* path);

    [LibraryImport("libc", EntryPoint = "sigemptyset", SetLastError = true)]
    private static partial int SignalEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
}
