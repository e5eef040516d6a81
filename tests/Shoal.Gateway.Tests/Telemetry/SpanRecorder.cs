using System.Collections.Concurrent;
using System.Diagnostics;

namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>
/// An in-memory tracer: records every span of the Shoal sources that ends, all sampled (or, given
/// <see cref="ActivitySamplingResult.PropagationData"/>, as a tracer does for a trace sampled out).
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanRecorder(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Shoal.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStarted = Started.Enqueue,
            ActivityStopped = Spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    /// <summary>Every span started, recorded or not.</summary>
    public ConcurrentQueue<Activity> Started { get; } = new();

    public Activity[] Named(string name) => [.. Spans.Where(s => s.OperationName == name)];

    public void Dispose() => _listener.Dispose();
}
