using System.Diagnostics.Metrics;

namespace Shoal.Registry.Telemetry;

/// <summary>
/// The registry's instruments on the <c>Shoal</c> meter (<c>shoal_registry_*</c>): the catalog's size and the store's
/// open watches, read when scraped, and each store operation's latency, measured by wrapping the store
/// (<see cref="Measure"/>) so no store implements it.
/// </summary>
internal sealed partial class RegistryMetrics : IDisposable
{
    private static readonly IReadOnlyList<double> s_buckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new("Shoal");
    private readonly Histogram<double> _duration;
    private readonly TimeProvider _time;
    private long _watchers;

    public RegistryMetrics(Func<int> instances, TimeProvider time)
    {
        _time = time;
        _meter.CreateObservableUpDownCounter("shoal.registry.instances", instances, description: "Instances in the catalog, of every service.");
        _meter.CreateObservableUpDownCounter("shoal.registry.watchers", () => Interlocked.Read(ref _watchers), description: "Watches open on the store: the registry API's watch and long-poll requests, and the daemon's own follow.");
        _duration = _meter.CreateHistogram("shoal.registry.store.duration", "s", "Time each store operation took, by operation.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets });
    }

    /// <summary>The meter, for tests that listen to this instance only.</summary>
    internal Meter Meter => _meter;

    /// <summary>The store with every operation timed and every watch counted while open.</summary>
    public IRegistryStore Measure(IRegistryStore store) => new MeasuredStore(store, this);

    public void Dispose() => _meter.Dispose();

    private void Record(string operation, long started) =>
        _duration.Record(_time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));
}
