using System.Text;

namespace Shoal.Cli.Output;

/// <summary>
/// Prints a stack's log files — its replicas' and its function instances' — with an <c>instance |</c> prefix, optionally
/// following them as they grow (new files included).
/// </summary>
internal sealed class LogFollower
{
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<LogSource> _sources;
    private readonly TextWriter _output;

    private LogFollower(IReadOnlyList<LogSource> sources, TextWriter output)
    {
        _sources = sources;
        _output = output;
    }

    /// <summary>
    /// The stack whose state lives in <paramref name="stateDirectory"/>: replica logs (<c>logs/SERVICE-N.log</c>, shown
    /// as <c>SERVICE-N</c>) and the local agent's instance logs (<c>agent/logs/STACK.FUNCTION.ID.log</c>, shown as
    /// <c>FUNCTION.ID</c>); only those of <paramref name="name"/> (a service or a function) when given.
    /// </summary>
    public static LogFollower ForStack(string stateDirectory, string? name, TextWriter output) => new(
        [
            new LogSource(Path.Combine(stateDirectory, "logs"), stem => name is null || IsReplicaOf(stem, name) ? stem : null),
            new LogSource(Path.Combine(stateDirectory, "agent", "logs"), stem => FunctionInstanceLabel(stem) is { } label && (name is null || label.StartsWith(name + ".", StringComparison.Ordinal)) ? label : null),
        ],
        output);

    /// <summary>Prints the last <paramref name="tail"/> lines of each file (all when null).</summary>
    public void PrintExisting(int? tail)
    {
        foreach (var (file, instance) in Files())
        {
            var lines = File.ReadAllLines(file);
            foreach (var line in tail is { } n ? lines.TakeLast(n) : lines)
            {
                _output.WriteLine($"{instance} | {line}");
            }

            _offsets[file] = new FileInfo(file).Length;
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

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[length - offset];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

        // Print whole lines only; a partial last line waits for its newline.
        var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
        if (lastNewline < 0)
        {
            return;
        }

        foreach (var line in Encoding.UTF8.GetString(buffer, 0, lastNewline).Split('\n'))
        {
            _output.WriteLine($"{instance} | {line.TrimEnd('\r')}");
        }

        _output.Flush();
        _offsets[file] = offset + lastNewline + 1;
    }

    private IEnumerable<(string File, string Instance)> Files() =>
        _sources
            .Where(source => Directory.Exists(source.Directory))
            .SelectMany(source => Directory.EnumerateFiles(source.Directory, "*.log")
                .Select(file => (File: file, Instance: source.Label(Path.GetFileNameWithoutExtension(file)))))
            .Where(f => f.Instance is not null)
            .Select(f => (f.File, f.Instance!))
            .OrderBy(f => f.Item2, StringComparer.Ordinal);

    private static bool IsReplicaOf(string instance, string service) =>
        instance.StartsWith(service + "-", StringComparison.Ordinal) && instance.AsSpan(service.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary><c>FUNCTION.ID</c> from an instance id <c>STACK.FUNCTION.ID</c> (function names and ids have no dots).</summary>
    private static string? FunctionInstanceLabel(string instanceId)
    {
        var id = instanceId.LastIndexOf('.');
        var function = id > 0 ? instanceId.LastIndexOf('.', id - 1) : -1;
        return function < 0 ? null : instanceId[(function + 1)..];
    }

    /// <summary>A folder of log files, and the label a file's lines get from its name (null: not shown).</summary>
    private sealed record LogSource(string Directory, Func<string, string?> Label);
}
