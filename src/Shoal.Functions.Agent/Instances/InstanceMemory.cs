using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// An instance's memory now, for the REPORT line's Max Memory Used after every invocation: its cgroup's
/// <c>memory.usage_in_bytes</c> (v1) or <c>memory.current</c> (v2), opened once and read with one <c>pread</c> each time.
/// A full <see cref="InstanceUsage.Read"/> opens, reads and closes four files (CPU, memory, pids, OOM kills), which
/// showed as a fifth of the daemon's CPU per warm invocation; an instance without such a file falls back to it.
/// </summary>
/// <param name="process">The instance's process.</param>
internal sealed class InstanceMemory(IProcessHandle process) : IDisposable
{
    private readonly Lock _lock = new();
    private SafeFileHandle? _usage;
    private bool _opened;
    private bool _disposed;

    /// <summary>The bytes the instance uses now, or null when nothing tells.</summary>
    public long? Read()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }

            if (!_opened)
            {
                _opened = true;
                _usage = Open(process.Cgroups);
            }

            if (_usage is { } usage)
            {
                try
                {
                    // A cgroup file is generated on each read from offset 0: the handle can be read again and again.
                    Span<byte> text = stackalloc byte[32];
                    var length = RandomAccess.Read(usage, text, fileOffset: 0);
                    return Utf8Parser.TryParse(text[..length], out long bytes, out _) ? bytes : null;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return null;
                }
            }
        }

        return InstanceUsage.Read(process)?.MemoryBytes;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _usage?.Dispose();
            _usage = null;
        }
    }

    private static SafeFileHandle? Open(IReadOnlyList<string> cgroups)
    {
        foreach (var cgroup in cgroups)
        {
            var file = cgroup.Contains("/memory/", StringComparison.Ordinal) ? Path.Combine(cgroup, "memory.usage_in_bytes") : Path.Combine(cgroup, "memory.current");
            try
            {
                if (File.Exists(file))
                {
                    return File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
