using System.Globalization;
using Shoal.Files;

namespace Shoal.Hosting.Logs;

/// <summary>
/// Marks when the instances' logs grew: replicas and function instances write straight into their files (no pipe
/// through the daemon, so a daemon restart never cuts their output), which leaves their lines without a time. Once a
/// second the clock looks at each log's size and, when it grew, appends <c>OFFSET UNIX-MS</c> to <c>FILE.times</c>:
/// every line ending at or before that offset was written by then. One stat per file per second and one short append
/// per second of output; readers (<see cref="LogTimes"/>) date each line to within a second.
/// </summary>
internal sealed class LogClock : IAsyncDisposable
{
    /// <summary>How often the logs are looked at: the precision of a line's time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<string> _directories;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private LogClock(IReadOnlyList<string> directories, TimeProvider time)
    {
        _directories = directories;
        _time = time;
    }

    /// <summary>Starts marking the logs of the stack whose state is in <paramref name="stateDirectory"/>.</summary>
    public static LogClock Start(string stateDirectory, TimeProvider time)
    {
        var clock = Create(stateDirectory, time);
        clock.ForgetOrphans();
        clock._loop = Task.Run(clock.RunAsync);
        return clock;
    }

    /// <summary>A clock that only marks when <see cref="Tick"/> is called; internal for tests.</summary>
    internal static LogClock Create(string stateDirectory, TimeProvider time) =>
        new([Path.Combine(stateDirectory, "logs"), Path.Combine(stateDirectory, "agent", "logs")], time);

    /// <summary>One look at every log; internal for tests.</summary>
    internal void Tick()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var directory in _directories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*.log"))
            {
                try
                {
                    Mark(file, now);
                }
                catch (IOException)
                {
                    // A file removed or rotated between the listing and the look: the next tick sees it as it is.
                }
            }
        }
    }

    private void Mark(string file, long now)
    {
        var size = new FileInfo(file).Length;
        var known = _sizes.TryGetValue(file, out var last);
        if (known && size == last)
        {
            return;
        }

        var times = LogTimes.PathFor(file);
        if (!known && File.Exists(times) && LastMarkedOffset(times) <= size)
        {
            // A daemon restart with the replica still writing: what is already in the file keeps the times it was given.
            _sizes[file] = size;
            return;
        }

        var mode = known && size > last ? FileMode.Append : FileMode.Create;
        using (var stream = PrivateFiles.OpenWrite(times, mode))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{size} {now}\n"));
        }

        _sizes[file] = size;
    }

    private static long LastMarkedOffset(string times)
    {
        var last = File.ReadLines(times).LastOrDefault() ?? "";
        var space = last.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && long.TryParse(last.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : long.MaxValue;
    }

    /// <summary>The marks of logs that a daemon start moved to <c>previous/</c> would date the new files wrongly.</summary>
    private void ForgetOrphans()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            foreach (var times in Directory.EnumerateFiles(directory, "*.log.times").ToList())
            {
                if (!File.Exists(times[..^".times".Length]))
                {
                    File.Delete(times);
                }
            }
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Tick();
                await Task.Delay(Interval, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A folder not there yet or going away; the next tick tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Tick();
        _stop.Dispose();
    }
}
