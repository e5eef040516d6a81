namespace Shoal.Functions.Configuration;

/// <summary>The API Gateway proxy event format a route sends its function.</summary>
public enum PayloadVersion
{
    /// <summary>REST API, payload format 1.0.</summary>
    V1,

    /// <summary>HTTP API, payload format 2.0.</summary>
    V2,
}

/// <summary>How a route authenticates its callers.</summary>
public enum RouteAuth
{
    /// <summary>Anyone may call.</summary>
    None,

    /// <summary>An <c>x-api-key</c> header with one of the configured keys.</summary>
    ApiKey,

    /// <summary>A JWT bearer token the configured keys verify.</summary>
    Jwt,
}

/// <summary>One route of <c>routing.yml</c>.</summary>
/// <param name="Path">The path template, e.g. <c>/users/{id}</c> or <c>/files/{proxy+}</c>.</param>
/// <param name="Method">An upper-case HTTP method, or <c>ANY</c>.</param>
/// <param name="Function">The function it invokes.</param>
/// <param name="Payload">The event format.</param>
/// <param name="Auth">How callers authenticate.</param>
/// <param name="Source">Where it came from, for messages: <c>routing.yml:7</c>.</param>
public sealed record FunctionRoute(string Path, string Method, string Function, PayloadVersion Payload, RouteAuth Auth, string Source = "")
{
    /// <summary>The route key API Gateway reports (<c>GET /users/{id}</c>, or <c>ANY /files/{proxy+}</c>).</summary>
    public string RouteKey => $"{Method} {Path}";
}
