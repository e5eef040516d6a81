using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Auth;
using Shoal.Functions.Events;
using Shoal.Functions.Pool;
using Shoal.Http;

namespace Shoal.Functions.Hosting;

/// <summary>
/// The gateway's function path: match <c>routing.yml</c>, authenticate, build the API Gateway proxy event, invoke the
/// function through its pool and map the result back to HTTP. Requests no function route matches go to the next
/// handler (the services' routes).
/// </summary>
public sealed class FunctionRequestHandler(FunctionsHost host)
{
    /// <summary>API Gateway's limit on a request payload.</summary>
    public const int MaxBodyBytes = 10 * 1024 * 1024;

    /// <summary>Handles the request when a function route matches it, else calls <paramref name="next"/>.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var match = host.Routes.Match(context.Request.Method, RawPath(context));
        return match is null ? next(context) : HandleAsync(context, match);
    }

    /// <summary>The request's path as sent (percent-encoding intact), which the route table decodes per segment.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return context.Request.Path.Value ?? "/";
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private async Task HandleAsync(HttpContext context, Routing.RouteMatch match)
    {
        var auth = host.Authenticator.Authenticate(context.Request, match.Route.Auth);
        if (!auth.IsAllowed)
        {
            await FunctionAuthenticator.WriteRejectionAsync(context, auth).ConfigureAwait(false);
            return;
        }

        var pool = host.Pool(match.Route.Function);
        if (pool is null)
        {
            await WriteMessageAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error").ConfigureAwait(false);
            return;
        }

        var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes).ConfigureAwait(false);
        if (body is null)
        {
            await WriteMessageAsync(context, StatusCodes.Status413PayloadTooLarge, "Request Entity Too Large").ConfigureAwait(false);
            return;
        }

        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["apigw-requestid"] = requestId;
        var payload = ApiGatewayEvent.Build(context, body, match, auth, host.Configuration.Stage, requestId, host.Time.GetUtcNow());
        InvokeResult result;
        try
        {
            // GET and HEAD are idempotent: one caught on a frozen instance may run again elsewhere (hedging).
            var idempotent = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
            result = await pool.InvokeAsync(requestId, payload, idempotent, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FunctionThrottledException)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "TooManyRequestsException", "Too Many Requests", "The function is at its concurrency limit.", requestId).ConfigureAwait(false);
            return;
        }
        catch (FunctionStartException)
        {
            await WriteErrorAsync(context, StatusCodes.Status502BadGateway, "Runtime.StartError", "Bad Gateway", "The function could not be started.", requestId).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (!result.IsError)
        {
            await ApiGatewayResponse.WriteAsync(context, result.Payload, match.Route.Payload).ConfigureAwait(false);
            return;
        }

        // The function's error type and message, never its stack trace.
        var status = result.Kind == InvokeResultKind.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
        var title = result.Kind switch
        {
            InvokeResultKind.Timeout => "Function timed out",
            InvokeResultKind.Crash => "Function instance crashed",
            InvokeResultKind.InitError => "Function failed to initialize",
            _ => "Function error",
        };
        await WriteErrorAsync(context, status, result.ErrorType ?? "Unhandled", title, result.ErrorMessage ?? "", requestId).ConfigureAwait(false);
    }

    private static Task WriteMessageAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message }));
    }

    /// <summary>An RFC 7807 problem naming the function's error type and message.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, string errorType, string title, string detail, string requestId)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new Dictionary<string, object>
        {
            ["type"] = "https://shoal.dev/problems/function-error",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["errorType"] = errorType,
            ["errorMessage"] = detail,
            ["requestId"] = requestId,
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(problem));
    }
}
