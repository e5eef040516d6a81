namespace Shoal.Samples.App.Diagnostics;

/// <summary>Request counts and the response times of the last <see cref="Window"/> requests.</summary>
public sealed class RequestMetrics
{
    private const int Window = 1000;
    private readonly double[] _durationsMs = new double[Window];
    private long _requestCount;
    private long _errorCount;

    // Lock-free: each request claims the next slot of the ring with one interlocked add.
    public void Record(double durationMs, bool isError)
    {
        var slot = Interlocked.Increment(ref _requestCount) - 1;
        _durationsMs[slot % Window] = durationMs;
        if (isError)
        {
            Interlocked.Increment(ref _errorCount);
        }
    }

    public object Snapshot()
    {
        var requests = Interlocked.Read(ref _requestCount);
        var errors = Interlocked.Read(ref _errorCount);
        var window = _durationsMs.AsSpan(0, (int)Math.Min(requests, Window)).ToArray();

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
