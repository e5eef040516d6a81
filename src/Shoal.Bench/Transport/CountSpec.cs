namespace Shoal.Bench.Transport;

/// <summary>What the distribution counts: a response header's value or a top-level JSON field of the body.</summary>
/// <param name="Header">The header name (case-insensitive), or null.</param>
/// <param name="Field">The JSON field name, or null.</param>
public sealed record CountSpec(string? Header, string? Field)
{
    /// <summary>The default: the gateway's <c>x-shoal-instance</c> header, reported when responses carry it.</summary>
    public static CountSpec Default { get; } = new("x-shoal-instance", null);

    /// <summary>How reports name it, e.g. <c>header:x-shoal-instance</c>.</summary>
    public string Describe() => Field is not null ? $"field:{Field}" : $"header:{Header}";
}
