using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Registry.Client;

/// <summary>The JSON conventions of the registry API: snake_case, unknown fields rejected.</summary>
public static class RegistryJson
{
    /// <summary>The serializer options both sides use.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Formats a duration the way the API reads it (<c>1500ms</c>).</summary>
    public static string Duration(TimeSpan value) => $"{(long)Math.Ceiling(value.TotalMilliseconds)}ms";
}
