using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Json;

/// <summary>
/// The one JSON convention of every machine-readable output Shoal writes (admin API, registry wire, deployment and
/// stack endpoints, the CLI's <c>--json</c>): snake_case property names, snake_case enum values, unknown fields refused.
/// </summary>
public static class ShoalJson
{
    /// <summary>The convention; null values are written.</summary>
    public static JsonSerializerOptions Options { get; } = Create(JsonIgnoreCondition.Never);

    /// <summary>The convention with null values left out: for snapshots and records where most optional fields are unset.</summary>
    public static JsonSerializerOptions Sparse { get; } = Create(JsonIgnoreCondition.WhenWritingNull);

    /// <summary>Applies the convention to <paramref name="options"/> (for hosts that own their options, such as ASP.NET Core's).</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    private static JsonSerializerOptions Create(JsonIgnoreCondition nulls)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = nulls };
        Apply(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
