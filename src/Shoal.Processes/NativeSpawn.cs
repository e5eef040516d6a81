using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>
/// One posix_spawn(3), prepared: the program, argv, envp, attributes and file actions in native memory, so that
/// <see cref="Spawn"/> allocates nothing and calls nothing managed (a thread that has dropped to a user runs it).
/// </summary>
/// <remarks>
/// The child leads a new session, gets every signal at its default action and an empty signal mask (the runtime
/// ignores SIGPIPE and blocks some signals on its threads). posix_spawn itself is called through a pointer looked up
/// here, by the preparing thread: the first call of a P/Invoke resolves its library, which a thread that is no longer
/// root must not be the one to do.
/// </remarks>
internal sealed unsafe partial class NativeSpawn : IDisposable
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

    private const int ReadOnly = 0;

    private static readonly delegate* unmanaged<int*, byte*, void*, void*, byte**, byte**, int> s_spawn =
        (delegate* unmanaged<int*, byte*, void*, void*, byte**, byte**, int>)NativeLibrary.GetExport(NativeLibrary.GetMainProgramHandle(), "posix_spawn");

    private readonly delegate* unmanaged<int*, byte*, void*, void*, byte**, byte**, int> _spawn = s_spawn;
    private readonly byte** _argv;
    private readonly byte** _envp;
    private readonly nint _path;
    private readonly nint _directory;
    private readonly nint _devNull;
    private readonly void* _attributes;
    private readonly void* _actions;
    private bool _initialized;

    /// <summary>Prepares <paramref name="program"/> (an absolute path) with argv <paramref name="argv"/> (its first the program's name).</summary>
    /// <param name="program">The program to exec.</param>
    /// <param name="argv">The whole argv, argv[0] included.</param>
    /// <param name="environment">The whole environment.</param>
    /// <param name="workingDirectory">The directory the child changes to, or null to keep the spawning thread's.</param>
    /// <param name="output">A descriptor the child gets as stdout and stderr, with /dev/null as stdin; -1 to keep the daemon's.</param>
    /// <exception cref="System.ComponentModel.Win32Exception">The attributes or actions could not be set (the errno).</exception>
    public NativeSpawn(string program, IReadOnlyList<string> argv, IEnumerable<KeyValuePair<string, string>> environment, string? workingDirectory, int output = -1)
    {
        _argv = ToNative(argv);
        _envp = ToNative([.. environment.Select(e => e.Key + "=" + e.Value)]);
        _path = Marshal.StringToCoTaskMemUTF8(program);
        _directory = workingDirectory is null ? 0 : Marshal.StringToCoTaskMemUTF8(workingDirectory);
        _devNull = Marshal.StringToCoTaskMemUTF8("/dev/null");
        _attributes = NativeMemory.AllocZeroed(AttributesSize);
        _actions = NativeMemory.AllocZeroed(FileActionsSize);
        try
        {
            Check(SpawnAttributesInit(_attributes));
            Check(FileActionsInit(_actions));
            _initialized = true;
            SetSignals();
            Check(SpawnAttributesSetFlags(_attributes, SetSignalDefaults | SetSignalMask | SetSession));
            if (_directory != 0)
            {
                Check(FileActionsAddChangeDirectory(_actions, (byte*)_directory));
            }

            if (output >= 0)
            {
                // The actions run in the child, with its credentials: the log is opened by the daemon, /dev/null by anyone.
                Check(FileActionsAddOpen(_actions, 0, (byte*)_devNull, ReadOnly, 0));
                Check(FileActionsAddDup2(_actions, output, 1));
                Check(FileActionsAddDup2(_actions, output, 2));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Spawns the child; 0 and its pid, or the errno posix_spawn returned (a failed exec included).</summary>
    public int Spawn(out int pid)
    {
        int child;
        var error = _spawn(&child, (byte*)_path, _actions, _attributes, _argv, _envp);
        pid = error == 0 ? child : 0;
        return error;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_initialized)
        {
            _initialized = false;
            _ = FileActionsDestroy(_actions);
            _ = SpawnAttributesDestroy(_attributes);
        }

        NativeMemory.Free(_actions);
        NativeMemory.Free(_attributes);
        Marshal.FreeCoTaskMem(_devNull);
        Marshal.FreeCoTaskMem(_directory);
        Marshal.FreeCoTaskMem(_path);
        Free(_envp);
        Free(_argv);
    }

    /// <summary>Throws the errno as a <see cref="System.ComponentModel.Win32Exception"/> unless it is 0.</summary>
    public static void Check(int error)
    {
        if (error != 0)
        {
            throw new System.ComponentModel.Win32Exception(error);
        }
    }

    private void SetSignals()
    {
        var signals = NativeMemory.AllocZeroed(SignalSetSize);
        try
        {
            // Every signal, 1 to 64, as bits 0 to 63 of the set: glibc's sigfillset leaves out the two it uses
            // itself (32 and 33), which its spawn would then leave ignored in the child, and through its exec.
            *(ulong*)signals = ulong.MaxValue;
            Check(SpawnAttributesSetSignalDefaults(_attributes, signals));
            Check(SignalEmptySet(signals) == 0 ? 0 : Marshal.GetLastPInvokeError());
            Check(SpawnAttributesSetSignalMask(_attributes, signals));
        }
        finally
        {
            NativeMemory.Free(signals);
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

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int FileActionsAddOpen(void* actions, int descriptor, byte* path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(void* actions, int descriptor, int target);

    [LibraryImport("libc", EntryPoint = "sigemptyset", SetLastError = true)]
    private static partial int SignalEmptySet(void* set);
}
