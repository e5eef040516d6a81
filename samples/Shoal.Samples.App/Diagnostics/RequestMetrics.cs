namespace Shoal.Samples.App.Diagnostics;

/// <summary>Request counts and the response times of the last <see cref="Window"/> requests.</summary>
public sealed class RequestMetrics
{
    private const int Window = 1000;
    private readonly double[] _durationsMs = new double[Window];
    private readonly Lock _lock = new();
    private int _next;
    private int _filled;
    private long _requestCount;
    private long _errorCount;

    public void Record(double durationMs, bool isError)
    {
        lock (_lock)
        {
            _durationsMs[_next] = durationMs;
            _next = (_next + 1) % Window;
            _filled = Math.Min(_filled + 1, Window);
            _requestCount++;
            if (isError)
            {
                _errorCount++;
            }
        }
    }

    public object Snapshot()
    {
        double[] window;
        long requests, errors;
        lock (_lock)
        {
            window = _durationsMs.AsSpan(0, _filled).ToArray();
            requests = _requestCount;
            errors = _errorCount;
        }

        Array.Sort(window);
        double At(double q) => window.Length == 0 ? 0 : window[Math.Min(window.Length - 1, (int)(window.Length * q))];
        var gc = GC.GetGCMemoryInfo();
        return new
        {
            requestCount = requests,
            errorCount = errors,
            responseTime = new
            {
                p50 = At(0.50),
                p95 = At(0.95),
                p99 = At(0.99),
                mean = window.Length == 0 ? 0 : window.Average(),
                window = window.Length,
            },
            memory = new
            {
                rss = Environment.WorkingSet,
                heapUsed = GC.GetTotalMemory(forceFullCollection: false),
                heapTotal = gc.HeapSizeBytes,
            },
        };
    }
}
