using System.Text;

namespace Shoal.Hosting.Logs;

/// <summary>Reads a log file's last lines and, when following, its new whole lines from an offset; each line with the offset just past it.</summary>
internal static class LogTail
{
    /// <summary>At most this many lines are sent back, whatever the request asks.</summary>
    public const int MaxLines = 10_000;

    /// <summary>A read takes at most this much of the file, so a file of long lines cannot make it read gigabytes.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The last <paramref name="count"/> whole lines, and the offset just past the last one.</summary>
    public static (IReadOnlyList<(string Text, long End)> Lines, long End) Last(string path, int count)
    {
        using var stream = Open(path);
        var start = Math.Max(0, stream.Length - MaxBytes);
        var (lines, end) = Read(stream, start, partialLastLine: false);
        // A window that starts mid-file starts mid-line: drop that partial first line.
        var whole = start > 0 ? lines.Skip(1) : lines;
        return ([.. whole.TakeLast(count)], end);
    }

    /// <summary>The whole lines written after <paramref name="offset"/>; a truncated file starts over.</summary>
    public static (IReadOnlyList<(string Text, long End)> Lines, long End) After(string path, long offset)
    {
        using var stream = Open(path);
        return Read(stream, stream.Length < offset ? 0 : offset, partialLastLine: true);
    }

    private static (List<(string Text, long End)> Lines, long End) Read(FileStream stream, long offset, bool partialLastLine)
    {
        var size = (int)Math.Min(Math.Max(0, stream.Length - offset), MaxBytes);
        var lines = new List<(string, long)>();
        if (size == 0)
        {
            return (lines, offset);
        }

        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[size];
        var read = stream.ReadAtLeast(buffer, size, throwOnEndOfStream: false);
        var start = 0;
        for (var i = 0; i < read; i++)
        {
            if (buffer[i] == (byte)'\n')
            {
                lines.Add((Encoding.UTF8.GetString(buffer, start, i - start).TrimEnd('\r'), offset + i + 1));
                start = i + 1;
            }
        }

        if (partialLastLine && start == 0 && read == MaxBytes)
        {
            // One line longer than the window: send it cut rather than wait forever for its end.
            lines.Add((Encoding.UTF8.GetString(buffer, 0, read), offset + read));
            start = read;
        }

        return (lines, offset + start);
    }

    private static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
}
