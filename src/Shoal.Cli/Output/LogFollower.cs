using System.Globalization;
using System.Text;
using Shoal.Hosting.Logs;

namespace Shoal.Cli.Output;

/// <summary>
/// Prints a stack's log files — its replicas' and its function instances' — with an <c>instance |</c> prefix, optionally
/// following them as they grow (new files included), filtered by time and pattern, with each line's time.
/// </summary>
internal sealed class LogFollower
{
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<LogSource> _sources;
    private readonly TextWriter _output;
    private readonly LogFilter _filter;

    private LogFollower(IReadOnlyList<LogSource> sources, TextWriter output, LogFilter filter)
    {
        _sources = sources;
        _output = output;
        _filter = filter;
    }

    /// <summary>
    /// The stack whose state lives in <paramref name="stateDirectory"/>: replica logs (<c>logs/SERVICE-N.log</c>, shown
    /// as <c>SERVICE-N</c>) and the local agent's instance logs (<c>agent/logs/STACK.FUNCTION.ID.log</c>, shown as
    /// <c>FUNCTION.ID</c>); only those of <paramref name="name"/> (a service, a function or one replica) when given.
    /// </summary>
    public static LogFollower ForStack(string stateDirectory, string? name, TextWriter output, LogFilter? filter = null) => new(
        [
            new LogSource(Path.Combine(stateDirectory, "logs"), stem => name is null || stem == name || LogFiles.IsReplicaOf(stem, name) ? stem : null),
            new LogSource(Path.Combine(stateDirectory, "agent", "logs"), stem => FunctionInstanceLabel(stem) is { } label && (name is null || label.StartsWith(name + ".", StringComparison.Ordinal)) ? label : null),
        ],
        output,
        filter ?? LogFilter.None);

    /// <summary>Prints the last <paramref name="tail"/> lines of each file that pass the filter (all when null).</summary>
    public void PrintExisting(int? tail)
    {
        foreach (var (file, instance) in Files())
        {
            var bytes = ReadFrom(file, 0);
            var times = _filter.NeedsTimes ? LogTimes.Load(file) : null;
            var lines = Lines(bytes, 0, times).Where(Keep).ToList();
            foreach (var line in tail is { } n ? lines.TakeLast(n) : lines)
            {
                Write(instance, line);
            }

            _offsets[file] = LastLineEnd(bytes, 0);
        }
    }

    /// <summary>Marks every current file as read up to its end, so following starts with new output only.</summary>
    public void SkipExisting()
    {
        foreach (var (file, _) in Files())
        {
            _offsets[file] = new FileInfo(file).Length;
        }
    }

    /// <summary>Prints new lines as they appear until cancelled.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (file, instance) in Files())
            {
                PrintNew(file, instance);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var (file, instance) in Files())
        {
            PrintNew(file, instance);
        }
    }

    private void PrintNew(string file, string instance)
    {
        var offset = _offsets.GetValueOrDefault(file);
        long length;
        try
        {
            length = new FileInfo(file).Length;
        }
        catch (IOException)
        {
            return;
        }

        if (length < offset)
        {
            offset = 0;
        }

        if (length == offset)
        {
            return;
        }

        var bytes = ReadFrom(file, offset);
        // Lines being followed were written just now: the file's own time dates them better than a mark not yet made.
        var times = _filter.NeedsTimes ? LogTimes.Load(file) : null;
        foreach (var line in Lines(bytes, offset, times).Where(Keep))
        {
            Write(instance, line);
        }

        _output.Flush();
        _offsets[file] = LastLineEnd(bytes, offset);
    }

    private bool Keep(LogLine line) =>
        (_filter.Since is not { } since || line.Time >= since) && (_filter.Grep is not { } grep || grep.IsMatch(line.Text));

    private void Write(string instance, LogLine line) =>
        _output.WriteLine(_filter.Timestamps
            ? $"{instance} | {line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} {line.Text}"
            : $"{instance} | {line.Text}");

    private static byte[] ReadFrom(string file, long offset)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[Math.Max(0, stream.Length - offset)];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>The whole lines in <paramref name="bytes"/> (read from <paramref name="offset"/>), each with its time; a partial last line waits for its newline.</summary>
    private static IEnumerable<LogLine> Lines(byte[] bytes, long offset, LogTimes? times)
    {
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n')
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(bytes, start, i - start).TrimEnd('\r');
            // A progress meter redraws its line with carriage returns: print what a terminal would end up showing.
            text = text[(text.LastIndexOf('\r') + 1)..];
            yield return new LogLine(text, times?.At(offset + i + 1) ?? default);
            start = i + 1;
        }
    }

    private static long LastLineEnd(byte[] bytes, long offset) => offset + Array.LastIndexOf(bytes, (byte)'\n') + 1;

    private IEnumerable<(string File, string Instance)> Files() =>
        _sources
            .Where(source => Directory.Exists(source.Directory))
            .SelectMany(source => Directory.EnumerateFiles(source.Directory, "*.log")
                .Select(file => (File: file, Instance: source.Label(Path.GetFileNameWithoutExtension(file)))))
            .Where(f => f.Instance is not null)
            .Select(f => (f.File, f.Instance!))
            .OrderBy(f => f.Item2, StringComparer.Ordinal);

    /// <summary><c>FUNCTION.ID</c> from an instance id <c>STACK.FUNCTION.ID</c> (function names and ids have no dots).</summary>
    private static string? FunctionInstanceLabel(string instanceId)
    {
        var id = instanceId.LastIndexOf('.');
        var function = id > 0 ? instanceId.LastIndexOf('.', id - 1) : -1;
        return function < 0 ? null : instanceId[(function + 1)..];
    }

    /// <summary>A folder of log files, and the label a file's lines get from its name (null: not shown).</summary>
    private sealed record LogSource(string Directory, Func<string, string?> Label);

    /// <summary>One line and when it was written.</summary>
    private sealed record LogLine(string Text, DateTimeOffset Time);
}
