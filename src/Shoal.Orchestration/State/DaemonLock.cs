using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Shoal.Files;
using Shoal.Processes;

namespace Shoal.Orchestration.State;

/// <summary>
/// The exclusive lock a stack's daemon holds for its whole life on <c>.shoal/daemon.lock</c> (flock(2)), which records
/// its pid and start time. The kernel drops the lock when the daemon dies, however it dies, so the lock — not the state
/// file, which may be stale, lost or corrupt — says whether a daemon runs and which one.
/// </summary>
public sealed partial class DaemonLock : IDisposable
{
    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int Create = 0x40;
    private const int CloseOnExec = 0x80000;
    private const int Shared = 1;
    private const int Exclusive = 2;
    private const int NonBlocking = 4;
    private const int Unlock = 8;

    private readonly SafeFileHandle _handle;

    private DaemonLock(SafeFileHandle handle) => _handle = handle;

    /// <summary>The lock file of a state directory.</summary>
    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, "daemon.lock");

    /// <summary>Takes the lock for this process and records it; null when another process holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be opened.</exception>
    public static DaemonLock? TryAcquire(string stateDirectory)
    {
        PrivateFiles.CreateDirectory(stateDirectory);
        var path = PathIn(stateDirectory);

        // O_CLOEXEC: a replica that inherited the descriptor would hold the lock after the daemon died.
        var handle = OpenHandle(path, ReadWrite | Create | CloseOnExec);
        if (Flock(handle, Exclusive | NonBlocking) != 0)
        {
            handle.Dispose();
            return null;
        }

        PrivateFiles.TightenTree(path);
        var self = Environment.ProcessId;
        var content = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{self} {ProcessIdentity.StartTimeOf(self) ?? 0}\n"));
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, content, 0);
        return new DaemonLock(handle);
    }

    /// <summary>
    /// The process holding the lock, or null when none does. The holder's pid is null when the lock is held but its
    /// record cannot be read (a daemon that is just starting writes it right after it locks).
    /// </summary>
    public static LockHolder? FindHolder(string stateDirectory)
    {
        var path = PathIn(stateDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        SafeFileHandle handle;
        try
        {
            handle = OpenHandle(path, ReadOnly | CloseOnExec);
        }
        catch (IOException)
        {
            return null;
        }

        using (handle)
        {
            // A shared lock taken at once means no exclusive holder; it is dropped straight away.
            if (Flock(handle, Shared | NonBlocking) == 0)
            {
                Flock(handle, Unlock);
                return null;
            }

            var buffer = new byte[64];
            var read = RandomAccess.Read(handle, buffer, 0);
            var fields = Encoding.ASCII.GetString(buffer, 0, read).Split(' ', '\n');
            return fields.Length >= 2
                && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
                && ProcessIdentity.IsAlive(pid, startTime)
                ? new LockHolder(pid, startTime)
                : new LockHolder(null, 0);
        }
    }

    /// <summary>Releases the lock (closing the file does).</summary>
    public void Dispose() => _handle.Dispose();

    private static SafeFileHandle OpenHandle(string path, int flags)
    {
        var fd = Open(path, flags, (int)PrivateFiles.FileMode);
        if (fd < 0)
        {
            throw new IOException($"{path}: cannot open ({Marshal.GetLastPInvokeErrorMessage()})");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static int Flock(SafeFileHandle handle, int operation) => FlockNative((int)handle.DangerousGetHandle(), operation);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockNative(int fd, int operation);
}
