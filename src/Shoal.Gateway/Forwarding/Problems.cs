using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Shoal.Gateway.Forwarding;

/// <summary>Writes RFC 7807 problem responses from the gateway itself.</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProblemBody($"https://httpstatuses.io/{status}", title, status, detail), ProblemJsonContext.Default.ProblemBody);
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}

internal sealed record ProblemBody(string Type, string Title, int Status, string Detail);

[System.Text.Json.Serialization.JsonSerializable(typeof(ProblemBody))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class ProblemJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
