using System.Text.Json.Serialization;

namespace Shoal.Functions.Runtime;

/// <summary>Source-generated JSON for the runtime's own messages (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(LambdaError))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
