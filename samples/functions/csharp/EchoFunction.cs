using System.Globalization;
using System.Text.Json;
using Shoal.Functions.Runtime;
using Shoal.Functions.Runtime.APIGateway;

namespace Shoal.Samples.Function;

/// <summary>
/// The sample handler: answers 200 with a JSON echo of the request (or, with <c>?echo=raw</c>, the request body
/// itself, base64 round trip), for HTTP API 2.0 and REST 1.0 events alike. Query hooks for tests:
/// <c>sleep_ms=N</c> waits first, <c>crash=1</c> exits the process (code 3) mid-invocation,
/// <c>fail=1</c> throws (a handler error).
/// </summary>
internal static class EchoFunction
{
    private const string JsonContentType = "application/json";

    /// <summary>The raw entry point the runtime calls: tells the payload format by its <c>version</c>.</summary>
    public static async Task<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> input, ILambdaContext context)
    {
        if (APIGatewayPayload.IsHttpApiV2(input.Span))
        {
            var request = JsonSerializer.Deserialize(input.Span, APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)
                ?? throw new JsonException("The event is JSON null.");
            var response = await HandleHttpApiAsync(request, context);
            return LambdaJson.SerializeToUtf8Bytes(response, APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);
        }
        else
        {
            var request = JsonSerializer.Deserialize(input.Span, APIGatewayJsonContext.Default.APIGatewayProxyRequest)
                ?? throw new JsonException("The event is JSON null.");
            var response = await HandleRestAsync(request, context);
            return LambdaJson.SerializeToUtf8Bytes(response, APIGatewayJsonContext.Default.APIGatewayProxyResponse);
        }
    }

    /// <summary>Handles an HTTP API (payload 2.0) event.</summary>
    public static async Task<APIGatewayHttpApiV2ProxyResponse> HandleHttpApiAsync(APIGatewayHttpApiV2ProxyRequest request, ILambdaContext context)
    {
        var requestContext = request.RequestContext;
        var authorizer = requestContext?.Authorizer;
        var echo = new EchoRequest
        {
            Version = "2.0",
            Method = requestContext?.Http?.Method,
            Path = request.RawPath ?? requestContext?.Http?.Path,
            PathParameters = request.PathParameters,
            Query = request.QueryStringParameters,
            Cookies = request.Cookies?.ToArray() ?? EchoRequest.SplitCookieHeader(EchoRequest.Header(request.Headers, "cookie")),
            Claims = authorizer?.Jwt?.Claims,
            ApiKeyId = authorizer?.Lambda is { } lambda && lambda.TryGetValue("apiKeyId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null,
            RequestId = requestContext?.RequestId,
            Stage = requestContext?.Stage,
            SourceIp = requestContext?.Http?.SourceIp,
            ContentType = EchoRequest.Header(request.Headers, "content-type"),
            Body = EchoRequest.DecodeBody(request.Body, request.IsBase64Encoded),
        };

        var (body, contentType, isBase64) = await AnswerAsync(echo, context);
        return new APIGatewayHttpApiV2ProxyResponse
        {
            StatusCode = 200,
            Headers = new Dictionary<string, string> { ["content-type"] = contentType },
            Body = body,
            IsBase64Encoded = isBase64,
        };
    }

    /// <summary>Handles a REST API (payload 1.0) event.</summary>
    public static async Task<APIGatewayProxyResponse> HandleRestAsync(APIGatewayProxyRequest request, ILambdaContext context)
    {
        var requestContext = request.RequestContext;
        var authorizer = requestContext?.Authorizer;
        var cookieHeader = EchoRequest.Header(request.Headers, "cookie");
        if (cookieHeader is null && request.MultiValueHeaders is { } multi)
        {
            foreach (var (name, values) in multi)
            {
                if (string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase))
                {
                    cookieHeader = string.Join("; ", values);
                }
            }
        }

        var echo = new EchoRequest
        {
            Version = "1.0",
            Method = request.HttpMethod ?? requestContext?.HttpMethod,
            Path = request.Path ?? requestContext?.Path,
            PathParameters = request.PathParameters,
            Query = request.QueryStringParameters,
            MultiValueQuery = request.MultiValueQueryStringParameters,
            Cookies = EchoRequest.SplitCookieHeader(cookieHeader),
            Claims = authorizer?.Claims,
            ApiKeyId = requestContext?.Identity?.ApiKeyId
                ?? (authorizer?.Context is { } extra && extra.TryGetValue("apiKeyId", out var id) && id.ValueKind == JsonValueKind.String
                    ? id.GetString()
                    : null),
            RequestId = requestContext?.RequestId,
            Stage = requestContext?.Stage,
            SourceIp = requestContext?.Identity?.SourceIp,
            ContentType = EchoRequest.Header(request.Headers, "content-type"),
            Body = EchoRequest.DecodeBody(request.Body, request.IsBase64Encoded),
        };

        var (body, contentType, isBase64) = await AnswerAsync(echo, context);
        return new APIGatewayProxyResponse
        {
            StatusCode = 200,
            Headers = new Dictionary<string, string> { ["content-type"] = contentType },
            Body = body,
            IsBase64Encoded = isBase64,
        };
    }

    private static async Task<(string Body, string ContentType, bool IsBase64)> AnswerAsync(EchoRequest echo, ILambdaContext context)
    {
        if (int.TryParse(echo.QueryValue("sleep_ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var sleepMs) && sleepMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(sleepMs), TimeProvider.System);
        }

        if (echo.QueryValue("crash") == "1")
        {
            context.Logger.LogLine("crash=1: exiting with code 3 mid-invocation.");
            Environment.Exit(3);
        }

        if (echo.QueryValue("fail") == "1")
        {
            throw new InvalidOperationException("boom");
        }

        if (echo.QueryValue("echo") == "raw")
        {
            return (Convert.ToBase64String(echo.Body), echo.ContentType ?? "application/octet-stream", true);
        }

        return (EchoBody.Write(echo, context.FunctionName), JsonContentType, false);
    }
}
