using System.Collections.Concurrent;
using System.Diagnostics;

namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>An in-memory tracer: records every span of the Shoal sources that ends, all sampled.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Shoal.", StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public Activity[] Named(string name) => [.. Spans.Where(s => s.OperationName == name)];

    public void Dispose() => _listener.Dispose();
}
