using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;
using Shoal.Http;

namespace Shoal.Functions.Hosting;

/// <summary>
/// The Lambda Invoke API (<c>POST /2015-03-31/functions/{name}/invocations</c>) on the admin listener, so the AWS SDKs
/// and CLI reach Shoal with an endpoint override, plus <c>GET /v1/functions</c> for the pools' counts. Callers are
/// authenticated before they get here: the admin token, or a SigV4 signature verified by <see cref="InvokeAuthentication"/>.
/// </summary>
public static class InvokeEndpoints
{
    /// <summary>The Invoke API's path prefix.</summary>
    public const string Prefix = "/2015-03-31/functions/";

    /// <summary>Lambda's limit on a synchronous invocation's payload.</summary>
    internal const int MaxPayloadBytes = 6 * 1024 * 1024;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapFunctionEndpoints(this IEndpointRouteBuilder endpoints, FunctionsHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        endpoints.MapPost(Prefix + "{name}/invocations", (HttpContext context, string name) => InvokeAsync(context, host, name));
        endpoints.MapGet("/v1/functions", async (CancellationToken cancellationToken) => Results.Json(await host.SnapshotsAsync(cancellationToken).ConfigureAwait(false)));
        endpoints.MapGet("/v1/functions/{name}", (string name) => host.Pool(name) is { } pool ? Results.Json(pool.Snapshot()) : NotFound(name));
        return endpoints;
    }

    private static async Task InvokeAsync(HttpContext context, FunctionsHost host, string name)
    {
        var function = FunctionName(name, out var qualifier);
        var pool = host.Pool(function);
        if (pool is null || (qualifier is not null && qualifier != "$LATEST" && qualifier != pool.Function.Version))
        {
            await WriteAwsErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFoundException", $"Function not found: {Arn(function)}{(qualifier is null ? "" : ":" + qualifier)}").ConfigureAwait(false);
            return;
        }

        var type = context.Request.Headers["X-Amz-Invocation-Type"].ToString();
        if (type.Length == 0)
        {
            type = "RequestResponse";
        }

        if (type is not ("RequestResponse" or "Event" or "DryRun"))
        {
            await WriteAwsErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidParameterValueException", $"X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not '{type}'.").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxPayloadBytes + 1;
        }

        var payload = await RequestBody.ReadAsync(context.Request, MaxPayloadBytes).ConfigureAwait(false);
        if (payload is null)
        {
            await WriteAwsErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException", $"Request must be smaller than {MaxPayloadBytes} bytes for the InvokeFunction operation").ConfigureAwait(false);
            return;
        }

        if (payload.Length > 0 && !IsJson(payload))
        {
            await WriteAwsErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", "Could not parse request body into json.").ConfigureAwait(false);
            return;
        }

        if (payload.Length == 0)
        {
            payload = "{}"u8.ToArray();
        }

        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        if (type == "DryRun")
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (type == "Event")
        {
            if (!host.Events.TryEnqueue(function, requestId, payload))
            {
                await WriteAwsErrorAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Rate Exceeded. The asynchronous invocation queue is full.").ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        InvokeResult result;
        try
        {
            result = await pool.InvokeAsync(requestId, payload, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FunctionThrottledException)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteAwsErrorAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Rate Exceeded.", reason: "ReservedFunctionConcurrentInvocationLimitExceeded").ConfigureAwait(false);
            return;
        }
        catch (FunctionStartException ex)
        {
            await WriteAwsErrorAsync(context, StatusCodes.Status502BadGateway, "ServiceException", ex.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Amz-Executed-Version"] = pool.Function.Version;
        if (result.IsError)
        {
            context.Response.Headers["X-Amz-Function-Error"] = "Unhandled";
        }

        await context.Response.Body.WriteAsync(result.Payload).ConfigureAwait(false);
    }

    /// <summary>The function's name from a name, a partial or full ARN, with its qualifier split off.</summary>
    internal static string FunctionName(string name, out string? qualifier)
    {
        qualifier = null;
        var at = name.IndexOf("function:", StringComparison.Ordinal);
        if (at >= 0)
        {
            name = name[(at + "function:".Length)..];
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            qualifier = name[(colon + 1)..];
            name = name[..colon];
        }

        return name;
    }

    private static string Arn(string function) => $"arn:aws:lambda:us-east-1:000000000000:function:{function}";


    private static bool IsJson(byte[] payload)
    {
        var reader = new Utf8JsonReader(payload);
        try
        {
            return JsonDocument.TryParseValue(ref reader, out var document) && DisposeTrue(document);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool DisposeTrue(JsonDocument? document)
    {
        document?.Dispose();
        return true;
    }

    private static IResult NotFound(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such function", detail: $"No function named '{name}' is defined.");

    /// <summary>An error the AWS SDKs parse: the type in <c>x-amzn-ErrorType</c>, and <c>message</c> in the body.</summary>
    private static Task WriteAwsErrorAsync(HttpContext context, int status, string errorType, string message, string? reason = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-amzn-ErrorType"] = errorType;
        var body = new Dictionary<string, string> { ["Type"] = "User", ["message"] = message, ["__type"] = errorType };
        if (reason is not null)
        {
            body["Reason"] = reason;
        }

        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
