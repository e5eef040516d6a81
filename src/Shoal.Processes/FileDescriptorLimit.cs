using System.Runtime.InteropServices;

namespace Shoal.Processes;

/// <summary>This process's open-file limit (RLIMIT_NOFILE), which .NET does not expose.</summary>
public static partial class FileDescriptorLimit
{
    private const int LinuxNoFile = 7;
    private const int BsdNoFile = 8;

    /// <summary>Raises the soft limit to the hard limit, as far as the system lets it, and returns the soft limit now in force; null where it cannot be read.</summary>
    /// <remarks>macOS caps the soft limit at OPEN_MAX (10240) whatever the hard limit says.</remarks>
    public static long? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var resource = OperatingSystem.IsLinux() ? LinuxNoFile : BsdNoFile;
        if (GetLimit(resource, out var limit) != 0)
        {
            return null;
        }

        if (limit.Current < limit.Maximum)
        {
            var wanted = limit with { Current = OperatingSystem.IsMacOS() ? Math.Min(limit.Maximum, 10240UL) : limit.Maximum };
            if (SetLimit(resource, in wanted) == 0)
            {
                limit = wanted;
            }
        }

        return (long)Math.Min(limit.Current, long.MaxValue);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit: rlim_t is 64 bits on the 64-bit systems .NET runs on.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
