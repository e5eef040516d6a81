using System.Text;

namespace Shoal.Hosting.Logs;

/// <summary>Reads a log file's last lines and, when following, its new whole lines from an offset.</summary>
internal static class LogTail
{
    /// <summary>At most this many lines are sent back, whatever the request asks.</summary>
    public const int MaxLines = 10_000;

    /// <summary>A tail reads at most this much of the file's end, so a file of long lines cannot make it read gigabytes.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The last <paramref name="count"/> whole lines and the offset just after the last one.</summary>
    public static (IReadOnlyList<string> Lines, long End) Last(string path, int count)
    {
        using var stream = Open(path);
        var length = stream.Length;
        var start = Math.Max(0, length - MaxBytes);
        stream.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[length - start];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', Math.Max(0, read - 1));
        if (read == 0 || lastNewline < 0)
        {
            return ([], start);
        }

        var lines = Encoding.UTF8.GetString(buffer, 0, lastNewline).Split('\n');
        // A window that starts mid-file starts mid-line: drop that partial first line.
        var whole = start > 0 ? lines.Skip(1) : lines;
        return ([.. whole.TakeLast(count).Select(l => l.TrimEnd('\r'))], start + lastNewline + 1);
    }

    /// <summary>The whole lines written after <paramref name="offset"/> and the offset after them; a truncated file starts over.</summary>
    public static (IReadOnlyList<string> Lines, long End) After(string path, long offset)
    {
        using var stream = Open(path);
        var length = stream.Length;
        if (length < offset)
        {
            offset = 0;
        }

        var size = (int)Math.Min(length - offset, MaxBytes);
        if (size <= 0)
        {
            return ([], offset);
        }

        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[size];
        var read = stream.ReadAtLeast(buffer, size, throwOnEndOfStream: false);
        var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', Math.Max(0, read - 1));
        if (read == 0 || lastNewline < 0)
        {
            // One line longer than the window: send it cut rather than wait forever for its end.
            return size == MaxBytes ? ([Encoding.UTF8.GetString(buffer, 0, read)], offset + read) : ([], offset);
        }

        return ([.. Encoding.UTF8.GetString(buffer, 0, lastNewline).Split('\n').Select(l => l.TrimEnd('\r'))], offset + lastNewline + 1);
    }

    private static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}
