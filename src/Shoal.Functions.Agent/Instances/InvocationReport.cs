using System.Globalization;
using System.Text;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// Lambda's lines around each invocation in the instance's log: <c>START</c> when the runtime takes the event (so it
/// precedes the function's own output), <c>END</c> and <c>REPORT</c> (duration, billed duration, memory size, max memory
/// used, and the init duration on the instance's first invocation) when it answers. The log file stays open; END and
/// REPORT wait in memory and go out in one write with the next START, or when the runtime turns idle, so a busy
/// instance costs one write per invocation and no open.
/// </summary>
internal sealed class InvocationReport : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _pending = new();
    private readonly string _logFile;
    private readonly TimeProvider _time;
    private readonly int _memoryMb;
    private readonly string _version;
    private readonly long _processStarted;
    private FileStream? _stream;
    private string? _requestId;
    private long _handedAt;
    private double? _initMs;
    private bool _first = true;
    private long _maxMemoryBytes;

    public InvocationReport(string logFile, TimeProvider time, int memoryMb, string? version)
    {
        _logFile = logFile;
        _time = time;
        _memoryMb = memoryMb;
        _version = string.IsNullOrEmpty(version) ? "$LATEST" : version;
        _processStarted = time.GetTimestamp();
    }

    /// <summary>The runtime took the event of <paramref name="requestId"/>: START goes out now, with what was pending.</summary>
    public void Handed(string requestId)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_first)
            {
                // The first event is taken once the runtime has initialised: that wait is Lambda's Init Duration.
                _initMs = _time.GetElapsedTime(_processStarted, now).TotalMilliseconds;
                _first = false;
            }

            _requestId = requestId;
            _handedAt = now;
            _pending.Append(CultureInfo.InvariantCulture, $"START RequestId: {requestId} Version: {_version}\n");
            FlushLocked();
        }
    }

    /// <summary>The invocation of <paramref name="requestId"/> ended; <paramref name="memoryBytes"/> is the instance's memory now, if known.</summary>
    public void Ended(string requestId, long? memoryBytes)
    {
        lock (_lock)
        {
            if (_requestId != requestId)
            {
                // Never taken by the runtime (it died first): Lambda writes nothing for an event that did not run.
                return;
            }

            _requestId = null;
            _maxMemoryBytes = Math.Max(_maxMemoryBytes, memoryBytes ?? 0);
            var duration = _time.GetElapsedTime(_handedAt).TotalMilliseconds;
            var billed = Math.Max(1, (long)Math.Ceiling(duration));
            var maxUsed = (_maxMemoryBytes + (1024 * 1024) - 1) / (1024 * 1024);
            _pending.Append(CultureInfo.InvariantCulture, $"END RequestId: {requestId}\n");
            _pending.Append(CultureInfo.InvariantCulture, $"REPORT RequestId: {requestId}\tDuration: {duration:0.00} ms\tBilled Duration: {billed} ms\tMemory Size: {_memoryMb} MB\tMax Memory Used: {maxUsed} MB");
            if (_initMs is { } init)
            {
                _pending.Append(CultureInfo.InvariantCulture, $"\tInit Duration: {init:0.00} ms");
                _initMs = null;
            }

            _pending.Append('\n');
        }
    }

    /// <summary>Writes what is pending (the runtime went idle, or the instance stops).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            FlushLocked();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            FlushLocked();
            _stream?.Dispose();
            _stream = null;
        }
    }

    private void FlushLocked()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        try
        {
            // Append mode: every write lands at the end, after whatever the runtime itself wrote to the same file.
            _stream ??= new FileStream(_logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            _stream.Write(Encoding.UTF8.GetBytes(_pending.ToString()));
        }
        catch (IOException)
        {
            // A log that cannot be written must not fail the invocation.
        }
        catch (UnauthorizedAccessException)
        {
        }

        _pending.Clear();
    }
}
