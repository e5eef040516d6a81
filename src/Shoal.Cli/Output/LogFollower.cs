using System.Text;

namespace Shoal.Cli.Output;

/// <summary>Prints replica log files with an <c>instance |</c> prefix, optionally following them as they grow.</summary>
internal sealed class LogFollower(string logDirectory, string? service, TextWriter output)
{
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    /// <summary>Prints the last <paramref name="tail"/> lines of each file (all when null).</summary>
    public void PrintExisting(int? tail)
    {
        foreach (var file in Files())
        {
            var instance = Path.GetFileNameWithoutExtension(file);
            var lines = File.ReadAllLines(file);
            foreach (var line in tail is { } n ? lines.TakeLast(n) : lines)
            {
                output.WriteLine($"{instance} | {line}");
            }

            _offsets[file] = new FileInfo(file).Length;
        }
    }

    /// <summary>Marks every current file as read up to its end, so following starts with new output only.</summary>
    public void SkipExisting()
    {
        foreach (var file in Files())
        {
            _offsets[file] = new FileInfo(file).Length;
        }
    }

    /// <summary>Prints new lines as they appear until cancelled.</summary>
    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var file in Files())
            {
                PrintNew(file);
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

        foreach (var file in Files())
        {
            PrintNew(file);
        }
    }

    private void PrintNew(string file)
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

        var instance = Path.GetFileNameWithoutExtension(file);
        foreach (var line in Encoding.UTF8.GetString(buffer, 0, lastNewline).Split('\n'))
        {
            output.WriteLine($"{instance} | {line.TrimEnd('\r')}");
        }

        output.Flush();
        _offsets[file] = offset + lastNewline + 1;
    }

    private IEnumerable<string> Files()
    {
        if (!Directory.Exists(logDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(logDirectory, "*.log")
            .Where(f => service is null || IsOf(Path.GetFileNameWithoutExtension(f), service))
            .OrderBy(f => f, StringComparer.Ordinal);
    }

    private static bool IsOf(string instance, string service) =>
        instance.StartsWith(service + "-", StringComparison.Ordinal) && instance.AsSpan(service.Length + 1).IndexOfAnyExceptInRange('0', '9') < 0;
}
