using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Shoal.Testing.Telemetry;

/// <summary>
/// Listens to one <see cref="Meter"/> instance (not every meter of that name, so tests running side by side do not see
/// each other's measurements) and keeps what it records, for asserting exact values by instrument and tags.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _recorded = new();
    private ConcurrentQueue<Measured> _observed = new();

    public MeterRecorder(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with at least these tags.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(_recorded, instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> recorded with at least these tags (a histogram's count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Matching(_recorded, instrument, tags).Count();

    /// <summary>The measurements of <paramref name="instrument"/> with at least these tags, in order.</summary>
    public IReadOnlyList<double> Values(string instrument, params (string Key, string Value)[] tags) =>
        [.. Matching(_recorded, instrument, tags).Select(m => m.Value)];

    /// <summary>Runs the observable instruments' callbacks now and sums what <paramref name="instrument"/> reported with at least these tags.</summary>
    public double Observe(string instrument, params (string Key, string Value)[] tags)
    {
        _observed = new ConcurrentQueue<Measured>();
        _listener.RecordObservableInstruments();
        return Matching(_observed, instrument, tags).Sum(m => m.Value);
    }

    public void Dispose() => _listener.Dispose();

    private static IEnumerable<Measured> Matching(IEnumerable<Measured> measured, string instrument, (string Key, string Value)[] tags) =>
        measured.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        var measured = new Measured(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy);
        (instrument.IsObservable ? _observed : _recorded).Enqueue(measured);
    }

    private sealed record Measured(string Instrument, double Value, Dictionary<string, string> Tags);
}
