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
internal sealed partial class InvocationReport : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _pending = new();
    private readonly string _logFile;
    private readonly TimeProvider _time;
    private readonly int _memoryMb;
    private readonly string _version;
    private readonly long _processStarted;
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _log;
    private string? _requestId;
    private long _handedAt;
    private double? _initMs;
    private bool _first = true;
    private long _maxMemoryBytes;
    private readonly ITimer _flushLater;

    /// <summary>END and REPORT go out at the latest this long after the answer, when no next START or idle wait took them.</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(200);

    public InvocationReport(string logFile, TimeProvider time, int memoryMb, string? version)
    {
        _logFile = logFile;
        _time = time;
        _memoryMb = memoryMb;
        _version = string.IsNullOrEmpty(version) ? "$LATEST" : version;
        _processStarted = time.GetTimestamp();
        _flushLater = time.CreateTimer(static state => ((InvocationReport)state!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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

        _flushLater.Change(FlushDelay, Timeout.InfiniteTimeSpan);
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
        _flushLater.Dispose();
        lock (_lock)
        {
            FlushLocked();
            _log?.Dispose();
            _log = null;
        }
    }

    private static bool EndsWithNewline(Microsoft.Win32.SafeHandles.SafeFileHandle log)
    {
        var length = RandomAccess.GetLength(log);
        Span<byte> last = stackalloc byte[1];
        return length == 0 || (RandomAccess.Read(log, last, length - 1) == 1 && last[0] == (byte)'\n');
    }

    private void FlushLocked()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        try
        {
            // O_APPEND: every write lands at the end, after whatever the runtime itself wrote to the same file meanwhile.
            _log ??= OpenAppend(_logFile);
            // The runtime's last write may not end its line (a progress meter, a prompt): START/END begin a line of their own.
            if (!EndsWithNewline(_log))
            {
                _pending.Insert(0, '\n');
            }

            RandomAccess.Write(_log, Encoding.UTF8.GetBytes(_pending.ToString()), fileOffset: 0);
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
