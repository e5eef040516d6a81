using System.Text.Json;
using Shoal.Json;

namespace Shoal.Orchestration.Admin;

/// <summary>The JSON shape of stack snapshots, shared by the admin API and the CLI that reads it.</summary>
public static class StackJson
{
    /// <summary>The Shoal convention (snake_case names and enum values: <c>started_at</c>, <c>healthy</c>), nulls left out.</summary>
    public static JsonSerializerOptions Options => ShoalJson.Sparse;
}
