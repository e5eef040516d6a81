namespace Shoal.Functions.Configuration;

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
