using System.Text.Json.Serialization;

namespace Shoal.Gateway.Forwarding;

/// <summary>Source-generated JSON for <see cref="ProblemBody"/>: the hot path reflects over nothing (snake_case, as <c>ShoalJson</c>).</summary>
[JsonSerializable(typeof(ProblemBody))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class ProblemJsonContext : JsonSerializerContext;
