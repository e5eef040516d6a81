using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Orchestration.Admin;

/// <summary>The JSON shape of stack snapshots, shared by the admin API and the CLI that reads it.</summary>
public static class StackJson
{
    /// <summary>Web defaults with kebab-case enum names (<c>healthy</c>, <c>on-failure</c>).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
