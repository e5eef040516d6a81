using System.Globalization;
using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>
/// Starts a host process without the launcher's two extra programs (sh, then setpriv), which cost a cold start two
/// execs: a throwaway thread takes the working directory, joins the cgroups and drops to the user, then spawns the
/// program itself, which inherits all three from that thread and is in its cgroups from its first instruction.
/// </summary>
/// <remarks>
/// <para>
/// Linux keeps all three per thread: the working directory once the thread has its own (unshare(CLONE_FS)), cgroup v1
/// membership (a thread id written to a hierarchy's <c>tasks</c> file moves that thread alone; <c>cgroup.procs</c> would
/// move the daemon) and credentials (<see cref="ThreadCredentials"/>); clone, under posix_spawn, copies the calling
/// thread's. The log is opened here, by the daemon (the file stays root's, as the launcher's <c>&gt;&gt;</c> left it).
/// </para>
/// <para>
/// The thread ends right after the spawn and the caller waits until the kernel has taken it out of its cgroups: a sweep
/// reading their <c>cgroup.procs</c> meanwhile would find the daemon's pid there. Whatever this path cannot do the same
/// way gives null, and the caller runs the launcher as before: a target without a <c>tasks</c> file (cgroup v2, or a plain
/// file), an architecture without known system call numbers, an id switch or spawn the kernel refused (a failed exec
/// included, so the launcher reports it in the log as it always did), and a cgroup that refused the thread (the
/// launcher's join then fails the same way and the process exits 125, which a replica's restart policy handles as
/// before: a join can fail for a moment, as when a cgroup is being removed).
/// </para>
/// </remarks>
internal static partial class DirectSpawn
{
    // The thread only makes a few calls: a small stack.
    private const int StackSize = 256 * 1024;

    private const int WriteOnly = 1;
    private const int Create = 0x40;
    private const int NoControllingTerminal = 0x100;
    private const int Append = 0x400;
    private const int CloseOnExec = 0x80000;
    private const int CloneFs = 0x200;

    /// <summary>Starts <paramref name="program"/> (an absolute path) directly; its pid, or null when the launcher must do it.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">The arguments after it.</param>
    /// <param name="environment">Its environment, before the shell's changes (<see cref="ShellEnvironment"/>).</param>
    /// <param name="workingDirectory">Its working directory.</param>
    /// <param name="logFile">The log (created 0600 beforehand) that gets stdout and stderr.</param>
    /// <param name="cgroupProcs">The <c>cgroup.procs</c> files to join, in order.</param>
    /// <param name="user">The user to drop to, or null.</param>
    public static int? TryStart(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string logFile, IReadOnlyList<string> cgroupProcs, ProcessUser? user)
    {
        if ((user is not null && !ThreadCredentials.IsSupported) || TaskFiles(cgroupProcs) is not { } tasks)
        {
            return null;
        }

        var log = Open(logFile, WriteOnly | Create | Append | CloseOnExec | NoControllingTerminal, 0b110_000_000);
        if (log < 0)
        {
            return null;
        }

        try
        {
            // Descriptors 0 to 2 are the daemon's own standard ones: a log among them would be overwritten by the actions.
            if (log <= 2)
            {
                return null;
            }

            var launch = new Launch(workingDirectory, tasks, user);
            using (var spawn = new NativeSpawn(program, [program, .. arguments], ShellEnvironment.AsShellPassesIt(environment, workingDirectory), workingDirectory: null, log))
            {
                launch.Spawn = spawn;
                var thread = new Thread(Run, StackSize) { IsBackground = true, Name = "shoal-spawn" };
                thread.UnsafeStart(launch);
                thread.Join();
                WaitUntilGone(launch.ThreadId);
            }

            return launch.Error == 0 ? launch.Pid : null;
        }
        finally
        {
            _ = Close(log);
        }
    }

    // The tasks file beside each cgroup.procs, or null when one has none.
    private static List<string>? TaskFiles(IReadOnlyList<string> cgroupProcs)
    {
        var tasks = new List<string>(cgroupProcs.Count);
        foreach (var procs in cgroupProcs)
        {
            var file = Path.Combine(Path.GetDirectoryName(procs) ?? "/", "tasks");
            if (Path.GetFileName(procs) != "cgroup.procs" || !File.Exists(file))
            {
                return null;
            }

            tasks.Add(file);
        }

        return tasks;
    }

    private static unsafe void Run(object? state)
    {
        var launch = (Launch)state!;
        launch.ThreadId = GetThreadId();
        var directory = Marshal.StringToCoTaskMemUTF8(launch.WorkingDirectory);
        try
        {
            // As the launcher's spawn did, the directory is entered as root: the user need not be able to reach it.
            if (Unshare(CloneFs) != 0 || ChangeDirectory((byte*)directory) != 0)
            {
                return;
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(directory);
        }

        var id = launch.ThreadId.ToString(CultureInfo.InvariantCulture);
        foreach (var tasks in launch.Tasks)
        {
            try
            {
                File.WriteAllText(tasks, id);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return;
            }
        }

        // From here on the thread may not be root: it allocates nothing (a collection it set off would run on it) and
        // opens no file, then ends.
        if (launch.User is { } user && !ThreadCredentials.Drop(user.Uid, user.Gid))
        {
            return;
        }

        launch.Error = launch.Spawn!.Spawn(out var pid);
        launch.Pid = pid;
    }

    // A thread leaves its cgroups as it exits (before /proc stops listing it), some time after Join returns.
    private static void WaitUntilGone(int threadId)
    {
        if (threadId != 0)
        {
            var task = "/proc/self/task/" + threadId.ToString(CultureInfo.InvariantCulture);
            SpinWait.SpinUntil(() => !Directory.Exists(task), TimeSpan.FromSeconds(5));
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "unshare")]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "chdir")]
    private static unsafe partial int ChangeDirectory(byte* path);

    // What the thread is given and what it leaves (written without allocating).
    private sealed class Launch(string workingDirectory, IReadOnlyList<string> tasks, ProcessUser? user)
    {
        public string WorkingDirectory { get; } = workingDirectory;

        public IReadOnlyList<string> Tasks { get; } = tasks;

        public ProcessUser? User { get; } = user;

        public NativeSpawn? Spawn { get; set; }

        public int ThreadId { get; set; }

        // -1 until the spawn is tried: a step before it failed.
        public int Error { get; set; } = -1;

        public int Pid { get; set; }
    }
}
