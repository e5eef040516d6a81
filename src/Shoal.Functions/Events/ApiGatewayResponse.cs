using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Events;

/// <summary>
/// Turns a function's result back into an HTTP response the way API Gateway does for the route's payload format.
/// A malformed result never throws: it becomes the error API Gateway would answer with.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A JSON object with <c>statusCode</c> is a proxy response: status, headers (plus <c>multiValueHeaders</c> in
/// 1.0, merged; <c>cookies</c> as <c>Set-Cookie</c> in 2.0), body, <c>isBase64Encoded</c>. Content-Type defaults to
/// <c>application/json</c>; framing and hop-by-hop headers (Content-Length, Transfer-Encoding, Connection, ...) are
/// dropped, as are headers Kestrel could not send.</item>
/// <item>1.0 (REST): anything else, or a proxy response that is malformed, is 502
/// <c>{"message": "Internal server error"}</c>.</item>
/// <item>2.0 (HTTP API): other JSON is 200 <c>application/json</c> with the result as the body, except that a JSON
/// string is sent as its value (HTTP APIs answer <c>"Hello"</c> with <c>Hello</c>) and <c>null</c> as an empty body;
/// a result that is not JSON is 200 <c>text/plain</c> with the raw bytes; a malformed proxy response is 500
/// <c>{"message":"Internal Server Error"}</c>.</item>
/// </list>
/// </remarks>
public static class ApiGatewayResponse
{
    private static readonly ProxyResponse s_restError = Error(StatusCodes.Status502BadGateway, """{"message": "Internal server error"}"""u8.ToArray());
    private static readonly ProxyResponse s_httpApiError = Error(StatusCodes.Status500InternalServerError, """{"message":"Internal Server Error"}"""u8.ToArray());

    /// <summary>Writes the response <paramref name="result"/> stands for.</summary>
    /// <param name="context">The request to answer; nothing may have been written to its response yet.</param>
    /// <param name="result">The function's result, as the runtime returned it.</param>
    /// <param name="version">The route's payload format, which decides how the result is read.</param>
    public static Task WriteAsync(HttpContext context, ReadOnlyMemory<byte> result, PayloadVersion version)
    {
        ArgumentNullException.ThrowIfNull(context);
        var proxy = Interpret(result, version);
        var response = context.Response;
        response.StatusCode = proxy.StatusCode;
        foreach (var (name, value) in proxy.Headers)
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.Headers.Append(name, value);
            }
        }

        // 204 and 304 carry no body, and Kestrel throws on an attempt to write one.
        if (proxy.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Task.CompletedTask;
        }

        response.ContentLength = proxy.Body.Length;
        return proxy.Body.IsEmpty ? Task.CompletedTask : response.Body.WriteAsync(proxy.Body, context.RequestAborted).AsTask();
    }

    /// <summary>The response a result stands for under <paramref name="version"/>'s rules (internal for tests).</summary>
    internal static ProxyResponse Interpret(ReadOnlyMemory<byte> result, PayloadVersion version)
    {
        var json = result;
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        // JsonDocument checks structure but not the UTF-8 inside strings; reading such a string later would throw.
        JsonDocument document;
        try
        {
            document = Utf8.IsValid(json.Span) ? JsonDocument.Parse(json) : throw new JsonException();
        }
        catch (JsonException)
        {
            return version == PayloadVersion.V1 ? s_restError : Plain(result);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("statusCode", out _))
            {
                try
                {
                    return ProxyResponse.Parse(root, version) ?? Malformed(version);
                }
                catch (InvalidOperationException)
                {
                    // An escaped lone surrogate ("\uD800") is valid JSON but no string .NET can read.
                    return Malformed(version);
                }
            }

            if (version == PayloadVersion.V1)
            {
                return s_restError;
            }

            var body = root.ValueKind switch
            {
                JsonValueKind.String => Encoding.UTF8.GetBytes(root.GetString()!),
                JsonValueKind.Null => ReadOnlyMemory<byte>.Empty,
                _ => json,
            };
            return new ProxyResponse(StatusCodes.Status200OK, [new("Content-Type", "application/json")], body);
        }
    }

    private static ProxyResponse Malformed(PayloadVersion version) => version == PayloadVersion.V1 ? s_restError : s_httpApiError;

    private static ProxyResponse Plain(ReadOnlyMemory<byte> result) =>
        new(StatusCodes.Status200OK, [new("Content-Type", "text/plain; charset=utf-8")], result);

    private static ProxyResponse Error(int status, byte[] body) =>
        new(status, [new("Content-Type", "application/json")], body);
}
