using System.Globalization;

namespace Shoal.Hosting.Logs;

/// <summary>The times <see cref="LogClock"/> recorded for a log: the time of a line is that of the first mark at or past its end.</summary>
public sealed class LogTimes
{
    private readonly List<(long Offset, DateTimeOffset Time)> _marks;
    private readonly DateTimeOffset _fallback;

    private LogTimes(List<(long Offset, DateTimeOffset Time)> marks, DateTimeOffset fallback)
    {
        _marks = marks;
        _fallback = fallback;
    }

    /// <summary>The file next to <paramref name="logFile"/> that holds its marks.</summary>
    public static string PathFor(string logFile) => logFile + ".times";

    /// <summary>The marks of <paramref name="logFile"/>; lines past the last mark get the file's last write time.</summary>
    public static LogTimes Load(string logFile)
    {
        var marks = new List<(long, DateTimeOffset)>();
        var path = PathFor(logFile);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0
                    && long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                    && long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                {
                    marks.Add((offset, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
                }
            }
        }
        catch (IOException)
        {
            // No marks (a log written before the daemon kept them): every line gets the file's time.
        }

        var fallback = File.Exists(logFile) ? new DateTimeOffset(File.GetLastWriteTimeUtc(logFile), TimeSpan.Zero) : DateTimeOffset.MinValue;
        return new LogTimes(marks, fallback);
    }

    /// <summary>When the line that ends at byte <paramref name="end"/> (its newline included) was written, to within a mark's interval.</summary>
    public DateTimeOffset At(long end)
    {
        int lo = 0, hi = _marks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_marks[mid].Offset < end)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < _marks.Count ? _marks[lo].Time : _fallback;
    }
}
