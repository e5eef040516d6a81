using System.Runtime.InteropServices;

namespace Shoal.Processes.Networking;

/// <summary>
/// A named pipe that holds a sandboxed program back until its network is up: bubblewrap reads one byte from it
/// (<c>--block-fd</c>) after making the namespaces and before it execs the program. Opened read-write here, so neither
/// end ever blocks on open and the byte waits in the pipe if it is written first.
/// </summary>
internal sealed partial class StartGate : IDisposable
{
    private const int OpenReadWrite = 2;
    private const int CloseOnExec = 0x80000;
    private readonly string _directory;
    private int _fd;

    private StartGate(string directory, int fd)
    {
        _directory = directory;
        _fd = fd;
    }

    /// <summary>The pipe's path, for the launcher to open as the fd bubblewrap blocks on.</summary>
    public string Path => System.IO.Path.Combine(_directory, "gate");

    /// <summary>Makes the pipe in a private temporary directory.</summary>
    /// <exception cref="ProcessStartException">It cannot be made.</exception>
    public static StartGate Create()
    {
        var directory = Directory.CreateTempSubdirectory("shoal-gate-").FullName;
        var path = System.IO.Path.Combine(directory, "gate");
        if (MakeFifo(path, 0b110_000_000) != 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new ProcessStartException($"network: isolated: cannot make the start gate {path} (errno {Marshal.GetLastPInvokeError()}).");
        }

        var fd = Open(path, OpenReadWrite | CloseOnExec);
        if (fd < 0)
        {
            Directory.Delete(directory, recursive: true);
            throw new ProcessStartException($"network: isolated: cannot open the start gate {path} (errno {Marshal.GetLastPInvokeError()}).");
        }

        return new StartGate(directory, fd);
    }

    /// <summary>Lets the program start.</summary>
    public unsafe void Open()
    {
        byte go = 1;
        _ = Write(_fd, &go, 1);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Close(fd);
            Directory.Delete(_directory, recursive: true);
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, int mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
