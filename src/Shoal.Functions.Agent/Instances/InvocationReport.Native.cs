using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// The log opened with <c>O_APPEND</c>. .NET's <see cref="FileMode.Append"/> only seeks to the end once and then writes
/// at its own position, which would overwrite what the runtime wrote since; with <c>O_APPEND</c> the kernel puts every
/// write at the end (Linux ignores <c>pwrite</c>'s offset on such a file).
/// </summary>
internal sealed partial class InvocationReport
{
    private const int ReadWrite = 0x2;
    private const int Append = 0x400;
    private const int Create = 0x40;
    private const int CloseOnExec = 0x80000;

    // 0600, as every file Shoal keeps; the runtime's launcher creates the log first, so this is for a log gone since.
    private const int OwnerReadWrite = 0x180;

    private static SafeFileHandle OpenAppend(string path)
    {
        var fd = Open(path, ReadWrite | Append | Create | CloseOnExec, OwnerReadWrite);
        if (fd < 0)
        {
            throw new IOException($"{path}: open failed (errno {Marshal.GetLastPInvokeError()})");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);
}
