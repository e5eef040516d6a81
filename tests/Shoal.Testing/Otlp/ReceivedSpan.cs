namespace Shoal.Testing.Otlp;

/// <summary>One span as an OTLP receiver got it: ids in lower-case hex, attributes as text.</summary>
public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, string Kind, string Status, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>An attribute's value, or null.</summary>
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);
}
