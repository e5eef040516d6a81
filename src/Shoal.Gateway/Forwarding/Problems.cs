using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Json;

namespace Shoal.Gateway.Forwarding;

/// <summary>Writes RFC 9457 problem responses from the gateway itself, in the shape the admin API uses (<see cref="ProblemTypes"/>).</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProblemBody(ProblemTypes.For(status), title, status, detail), ProblemJsonContext.Default.ProblemBody);
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
