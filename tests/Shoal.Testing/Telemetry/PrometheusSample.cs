namespace Shoal.Testing.Telemetry;

/// <summary>One sample line of a Prometheus text exposition: a name, its labels and a value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>True when every given label has exactly that value (others may be present too).</summary>
    public bool Has(params (string Key, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Key, out var v) ? v == l.Value : l.Value.Length == 0);
}
