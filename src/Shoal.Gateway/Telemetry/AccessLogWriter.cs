using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Files;

namespace Shoal.Gateway.Telemetry;

/// <summary>
/// Writes the access log off the request path: requests put their entry into a bounded channel without waiting and one
/// writer formats and appends them, flushing whenever it has caught up. When the writer falls behind (a slow disk, a
/// flood) a full channel drops the new entry and counts it (<c>shoal_gateway_access_log_dropped_total</c>): a request
/// never waits for the log.
/// </summary>
internal sealed partial class AccessLogWriter : IAsyncDisposable
{
    private readonly Channel<AccessLogEntry> _entries;
    private readonly AccessLogSettings _settings;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Stream _output;
    private readonly Task _writing;
    private long _dropped;

    public AccessLogWriter(AccessLogSettings settings, GatewayMetrics metrics, ILogger<AccessLogWriter> logger)
        : this(settings, metrics, logger, Open(settings))
    {
    }

    /// <summary>Writes to <paramref name="output"/> (internal for tests).</summary>
    internal AccessLogWriter(AccessLogSettings settings, GatewayMetrics metrics, ILogger logger, Stream output)
    {
        _settings = settings;
        _metrics = metrics;
        _logger = logger;
        _entries = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(settings.Buffer)
        {
            // Wait, not DropWrite: only then does TryWrite say false when full (DropWrite drops and says true); a
            // request only ever calls TryWrite, so nothing waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

        _output = output;
        _writing = Task.Run(WriteAllAsync);
    }

    /// <summary>Standard output, or the file appended to, created owner-only: it holds clients' addresses and paths.</summary>
    private static Stream Open(AccessLogSettings settings) =>
        settings.Path == AccessLogSettings.StandardOutput
            ? Console.OpenStandardOutput()
            : new BufferedStream(PrivateFiles.OpenWrite(settings.Path, FileMode.Append), 64 * 1024);

    /// <summary>Entries dropped because the channel was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="entry"/>; never waits. A full queue drops it and counts the drop.</summary>
    public void Write(AccessLogEntry entry)
    {
        if (!_entries.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
            _metrics.OnAccessLogDropped();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteAllAsync()
    {
        await using var json = new Utf8JsonWriter(Stream.Null, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var reader = _entries.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var entry))
                {
                    if (_settings.Format == AccessLogFormat.Json)
                    {
                        AccessLogFormatter.WriteJson(entry, json, _output);
                    }
                    else
                    {
                        var line = System.Text.Encoding.UTF8.GetBytes(AccessLogFormatter.Combined(entry));
                        _output.Write(line);
                    }
                }

                // Caught up: what is written becomes visible now, not when a buffer fills.
                await _output.FlushAsync().ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                // A full disk must not stop the gateway: the log says so, the lines in between are lost.
                Log.WriteFailed(_logger, _settings.Path, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2501, LogLevel.Warning, "The access log {Path} cannot be written: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string path, string reason);
    }
}
