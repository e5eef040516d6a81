using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;
using Shoal.Functions.Events;
using Shoal.Functions.Routing;

namespace Shoal.Functions.Tests.Events;

public sealed class ApiGatewayEventTests
{
    private static readonly DateTimeOffset s_now = new(2024, 3, 9, 17, 4, 5, 123, TimeSpan.Zero);

    [Fact]
    public void Build_V1_WritesEveryRestField()
    {
        var context = Context("GET", "/users/7", "?x=1&x=2&y=a%20b");
        context.Request.Headers.Append("X-Multi", "a");
        context.Request.Headers.Append("X-Multi", "b");
        var auth = new AuthResult(AuthOutcome.Allowed, RouteAuth.ApiKey, "mobile", new Dictionary<string, string>(), []);

        using var json = Build(context, [], Match(PayloadVersion.V1, "/users/{id}", ("id", "7")), auth, stage: "prod");
        var root = json.RootElement;

        Assert.Equal("1.0", root.GetProperty("version").GetString());
        Assert.Equal("/users/{id}", root.GetProperty("resource").GetString());
        Assert.Equal("/users/7", root.GetProperty("path").GetString());
        Assert.Equal("GET", root.GetProperty("httpMethod").GetString());
        Assert.Equal("b", root.GetProperty("headers").GetProperty("X-Multi").GetString());
        Assert.Equal("api.example.com:8443", root.GetProperty("headers").GetProperty("Host").GetString());
        Assert.Equal(["a", "b"], Strings(root.GetProperty("multiValueHeaders").GetProperty("X-Multi")));
        Assert.Equal("2", root.GetProperty("queryStringParameters").GetProperty("x").GetString());
        Assert.Equal("a b", root.GetProperty("queryStringParameters").GetProperty("y").GetString());
        Assert.Equal(["1", "2"], Strings(root.GetProperty("multiValueQueryStringParameters").GetProperty("x")));
        Assert.Equal("7", root.GetProperty("pathParameters").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stageVariables").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("body").ValueKind);
        Assert.False(root.GetProperty("isBase64Encoded").GetBoolean());

        var request = root.GetProperty("requestContext");
        Assert.Equal("000000000000", request.GetProperty("accountId").GetString());
        Assert.Equal("shoal", request.GetProperty("apiId").GetString());
        Assert.Equal("/users/{id}", request.GetProperty("resourcePath").GetString());
        Assert.Equal("GET", request.GetProperty("httpMethod").GetString());
        Assert.Equal("/prod/users/7", request.GetProperty("path").GetString());
        Assert.Equal("prod", request.GetProperty("stage").GetString());
        Assert.Equal("req-1", request.GetProperty("requestId").GetString());
        Assert.Equal("09/Mar/2024:17:04:05 +0000", request.GetProperty("requestTime").GetString());
        Assert.Equal(s_now.ToUnixTimeMilliseconds(), request.GetProperty("requestTimeEpoch").GetInt64());
        Assert.Equal("HTTP/1.1", request.GetProperty("protocol").GetString());
        Assert.Equal("api.example.com", request.GetProperty("domainName").GetString());
        Assert.Equal("api", request.GetProperty("domainPrefix").GetString());
        var identity = request.GetProperty("identity");
        Assert.Equal("203.0.113.9", identity.GetProperty("sourceIp").GetString());
        Assert.Equal("curl/8.5.0", identity.GetProperty("userAgent").GetString());
        Assert.Equal(JsonValueKind.Null, identity.GetProperty("apiKey").ValueKind);
        Assert.Equal("mobile", identity.GetProperty("apiKeyId").GetString());
        Assert.False(request.TryGetProperty("authorizer", out _));
    }

    [Fact]
    public void Build_V1WithoutQueryOrParameters_WritesNulls()
    {
        using var json = Build(Context("POST", "/ping"), [], Match(PayloadVersion.V1, "/ping"), AuthResult.Anonymous, stage: "$default");
        var root = json.RootElement;

        Assert.Equal(JsonValueKind.Null, root.GetProperty("queryStringParameters").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("multiValueQueryStringParameters").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("pathParameters").ValueKind);
        Assert.Equal("/ping", root.GetProperty("requestContext").GetProperty("path").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("requestContext").GetProperty("identity").GetProperty("apiKeyId").ValueKind);
    }

    [Fact]
    public void Build_V1Jwt_WritesAuthorizerClaims()
    {
        using var json = Build(Context("GET", "/me"), [], Match(PayloadVersion.V1, "/me"), JwtAuth(), stage: "prod");
        var authorizer = json.RootElement.GetProperty("requestContext").GetProperty("authorizer");

        Assert.Equal("user-7", authorizer.GetProperty("claims").GetProperty("sub").GetString());
        Assert.Equal("[admin users]", authorizer.GetProperty("claims").GetProperty("groups").GetString());
        Assert.Equal(["read", "write"], Strings(authorizer.GetProperty("scopes")));
    }

    [Fact]
    public void Build_V2_WritesEveryHttpApiField()
    {
        var context = Context("GET", "/files/a b/c.txt", "?x=1&x=2&y=3");
        context.Request.Headers.Append("X-Multi", "a");
        context.Request.Headers.Append("X-Multi", "b");
        context.Request.Headers.Cookie = "session=abc; theme=dark";

        using var json = Build(context, [], Match(PayloadVersion.V2, "/files/{proxy+}", ("proxy", "a b/c.txt")), JwtAuth(), stage: "$default");
        var root = json.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.Equal("GET /files/{proxy+}", root.GetProperty("routeKey").GetString());
        Assert.Equal("/files/a%20b/c.txt", root.GetProperty("rawPath").GetString());
        Assert.Equal("x=1&x=2&y=3", root.GetProperty("rawQueryString").GetString());
        Assert.Equal(["session=abc", "theme=dark"], Strings(root.GetProperty("cookies")));
        var headers = root.GetProperty("headers");
        Assert.Equal("a,b", headers.GetProperty("x-multi").GetString());
        Assert.Equal("curl/8.5.0", headers.GetProperty("user-agent").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
        Assert.All(headers.EnumerateObject(), h => Assert.Equal(h.Name.ToLowerInvariant(), h.Name));
        Assert.Equal("1,2", root.GetProperty("queryStringParameters").GetProperty("x").GetString());
        Assert.Equal("3", root.GetProperty("queryStringParameters").GetProperty("y").GetString());
        Assert.Equal("a b/c.txt", root.GetProperty("pathParameters").GetProperty("proxy").GetString());
        Assert.False(root.TryGetProperty("body", out _));
        Assert.False(root.TryGetProperty("stageVariables", out _));
        Assert.False(root.GetProperty("isBase64Encoded").GetBoolean());

        var request = root.GetProperty("requestContext");
        Assert.Equal("000000000000", request.GetProperty("accountId").GetString());
        Assert.Equal("shoal", request.GetProperty("apiId").GetString());
        Assert.Equal("api.example.com", request.GetProperty("domainName").GetString());
        Assert.Equal("api", request.GetProperty("domainPrefix").GetString());
        var http = request.GetProperty("http");
        Assert.Equal("GET", http.GetProperty("method").GetString());
        Assert.Equal("/files/a%20b/c.txt", http.GetProperty("path").GetString());
        Assert.Equal("HTTP/1.1", http.GetProperty("protocol").GetString());
        Assert.Equal("203.0.113.9", http.GetProperty("sourceIp").GetString());
        Assert.Equal("curl/8.5.0", http.GetProperty("userAgent").GetString());
        Assert.Equal("req-1", request.GetProperty("requestId").GetString());
        Assert.Equal("GET /files/{proxy+}", request.GetProperty("routeKey").GetString());
        Assert.Equal("$default", request.GetProperty("stage").GetString());
        Assert.Equal("09/Mar/2024:17:04:05 +0000", request.GetProperty("time").GetString());
        Assert.Equal(s_now.ToUnixTimeMilliseconds(), request.GetProperty("timeEpoch").GetInt64());
        var jwt = request.GetProperty("authorizer").GetProperty("jwt");
        Assert.Equal("user-7", jwt.GetProperty("claims").GetProperty("sub").GetString());
        Assert.Equal("[admin users]", jwt.GetProperty("claims").GetProperty("groups").GetString());
        Assert.Equal(["read", "write"], Strings(jwt.GetProperty("scopes")));
    }

    [Fact]
    public void Build_V2WithoutCookiesQueryOrParameters_OmitsThem()
    {
        using var json = Build(Context("GET", "/ping"), [], Match(PayloadVersion.V2, "/ping"), AuthResult.Anonymous, stage: "$default");
        var root = json.RootElement;

        Assert.False(root.TryGetProperty("cookies", out _));
        Assert.False(root.TryGetProperty("queryStringParameters", out _));
        Assert.False(root.TryGetProperty("pathParameters", out _));
        Assert.Equal("", root.GetProperty("rawQueryString").GetString());
        Assert.False(root.GetProperty("requestContext").TryGetProperty("authorizer", out _));
    }

    [Fact]
    public void Build_V2ApiKey_ReportsKeyIdUnderLambdaAuthorizer()
    {
        var auth = new AuthResult(AuthOutcome.Allowed, RouteAuth.ApiKey, "mobile", new Dictionary<string, string>(), []);

        using var json = Build(Context("GET", "/ping"), [], Match(PayloadVersion.V2, "/ping"), auth, stage: "$default");

        Assert.Equal("mobile", json.RootElement.GetProperty("requestContext").GetProperty("authorizer").GetProperty("lambda").GetProperty("apiKeyId").GetString());
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public void Build_JsonBody_SentAsText(PayloadVersion version)
    {
        var context = Context("POST", "/orders");
        context.Request.ContentType = "application/json; charset=utf-8";
        const string Body = """{"item":"café ☕","quantity":2}""";

        using var json = Build(context, Encoding.UTF8.GetBytes(Body), Match(version, "/orders"), AuthResult.Anonymous, stage: "$default");

        Assert.Equal(Body, json.RootElement.GetProperty("body").GetString());
        Assert.False(json.RootElement.GetProperty("isBase64Encoded").GetBoolean());
    }

    [Theory]
    [InlineData(PayloadVersion.V1, "application/octet-stream")]
    [InlineData(PayloadVersion.V2, "image/png")]
    [InlineData(PayloadVersion.V2, null)]
    [InlineData(PayloadVersion.V1, "text/plain")]
    public void Build_BinaryOrInvalidUtf8Body_SentAsBase64(PayloadVersion version, string? contentType)
    {
        var context = Context("PUT", "/blob");
        context.Request.ContentType = contentType;
        var bytes = AllBytes();

        using var json = Build(context, bytes, Match(version, "/blob"), AuthResult.Anonymous, stage: "$default");

        Assert.True(json.RootElement.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(bytes, json.RootElement.GetProperty("body").GetBytesFromBase64());
    }

    [Theory]
    [InlineData(PayloadVersion.V1, "application/octet-stream")]
    [InlineData(PayloadVersion.V2, "application/octet-stream")]
    [InlineData(PayloadVersion.V2, "text/plain; charset=utf-8")]
    public async Task BinaryBody_RoundTripsThroughEventAndResponse(PayloadVersion version, string contentType)
    {
        var context = Context("POST", "/echo");
        context.Request.ContentType = contentType;
        var bytes = AllBytes();

        // An echo function: hands back the body it was given, as it was given.
        using var json = Build(context, bytes, Match(version, "/echo"), AuthResult.Anonymous, stage: "$default");
        var result = JsonSerializer.SerializeToUtf8Bytes(new
        {
            statusCode = 200,
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/octet-stream" },
            body = json.RootElement.GetProperty("body").GetString(),
            isBase64Encoded = json.RootElement.GetProperty("isBase64Encoded").GetBoolean(),
        });
        var response = new DefaultHttpContext();
        var output = new MemoryStream();
        response.Response.Body = output;

        await ApiGatewayResponse.WriteAsync(response, result, version);

        Assert.Equal(200, response.Response.StatusCode);
        Assert.Equal(bytes, output.ToArray());
    }

    private static byte[] AllBytes() => Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();

    private static JsonDocument Build(HttpContext context, byte[] body, RouteMatch match, AuthResult auth, string stage) =>
        JsonDocument.Parse(ApiGatewayEvent.Build(context, body, match, auth, stage, "req-1", s_now));

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static AuthResult JwtAuth() => new(
        AuthOutcome.Allowed,
        RouteAuth.Jwt,
        null,
        new Dictionary<string, string> { ["sub"] = "user-7", ["groups"] = "[admin users]" },
        ["read", "write"]);

    private static RouteMatch Match(PayloadVersion version, string path, params (string Name, string Value)[] parameters) =>
        new(new FunctionRoute(path, "GET", "fn", version, RouteAuth.None), parameters.ToDictionary(p => p.Name, p => p.Value));

    private static DefaultHttpContext Context(string method, string path, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Host = new HostString("api.example.com:8443");
        context.Request.Headers.UserAgent = "curl/8.5.0";
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:203.0.113.9");
        return context;
    }
}
