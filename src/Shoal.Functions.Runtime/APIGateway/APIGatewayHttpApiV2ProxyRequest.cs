using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Functions.Runtime.APIGateway;

/// <summary>An HTTP API event, payload format 2.0 (<c>"version": "2.0"</c>): the fields handlers read.</summary>
public sealed class APIGatewayHttpApiV2ProxyRequest
{
    /// <summary>The payload format, <c>2.0</c>.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>The matched route, e.g. <c>GET /items/{id}</c>.</summary>
    [JsonPropertyName("routeKey")]
    public string? RouteKey { get; set; }

    /// <summary>The request path, e.g. <c>/items/42</c>.</summary>
    [JsonPropertyName("rawPath")]
    public string? RawPath { get; set; }

    /// <summary>The query string without its <c>?</c>.</summary>
    [JsonPropertyName("rawQueryString")]
    public string? RawQueryString { get; set; }

    /// <summary>The request's cookies, one <c>name=value</c> each.</summary>
    [JsonPropertyName("cookies")]
    public IList<string>? Cookies { get; set; }

    /// <summary>The headers, lower-case names; repeated headers joined with commas.</summary>
    [JsonPropertyName("headers")]
    public IDictionary<string, string>? Headers { get; set; }

    /// <summary>The query parameters; repeated parameters joined with commas.</summary>
    [JsonPropertyName("queryStringParameters")]
    public IDictionary<string, string>? QueryStringParameters { get; set; }

    /// <summary>The values of the route's <c>{placeholders}</c>.</summary>
    [JsonPropertyName("pathParameters")]
    public IDictionary<string, string>? PathParameters { get; set; }

    /// <summary>The stage's variables.</summary>
    [JsonPropertyName("stageVariables")]
    public IDictionary<string, string>? StageVariables { get; set; }

    /// <summary>The body: text, or base64 when <see cref="IsBase64Encoded"/>.</summary>
    [JsonPropertyName("body")]
    public string? Body { get; set; }

    /// <summary>Whether <see cref="Body"/> is base64.</summary>
    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; set; }

    /// <summary>Who asked, and how the request was matched and authorized.</summary>
    [JsonPropertyName("requestContext")]
    public ProxyRequestContext? RequestContext { get; set; }

    /// <summary>The <c>requestContext</c> of a 2.0 event.</summary>
    public sealed class ProxyRequestContext
    {
        /// <summary>The owning account.</summary>
        [JsonPropertyName("accountId")]
        public string? AccountId { get; set; }

        /// <summary>The API's id.</summary>
        [JsonPropertyName("apiId")]
        public string? ApiId { get; set; }

        /// <summary>The host the request was sent to.</summary>
        [JsonPropertyName("domainName")]
        public string? DomainName { get; set; }

        /// <summary>The request's id, unique per request.</summary>
        [JsonPropertyName("requestId")]
        public string? RequestId { get; set; }

        /// <summary>The matched route.</summary>
        [JsonPropertyName("routeKey")]
        public string? RouteKey { get; set; }

        /// <summary>The stage, e.g. <c>$default</c>.</summary>
        [JsonPropertyName("stage")]
        public string? Stage { get; set; }

        /// <summary>When the request arrived, e.g. <c>12/Mar/2020:19:03:58 +0000</c>.</summary>
        [JsonPropertyName("time")]
        public string? Time { get; set; }

        /// <summary>When the request arrived, in Unix milliseconds.</summary>
        [JsonPropertyName("timeEpoch")]
        public long TimeEpoch { get; set; }

        /// <summary>The HTTP request line and its source.</summary>
        [JsonPropertyName("http")]
        public HttpDescription? Http { get; set; }

        /// <summary>What the authorizer established, or null for an open route.</summary>
        [JsonPropertyName("authorizer")]
        public AuthorizerDescription? Authorizer { get; set; }
    }

    /// <summary>The <c>requestContext.http</c> of a 2.0 event.</summary>
    public sealed class HttpDescription
    {
        /// <summary>The HTTP method.</summary>
        [JsonPropertyName("method")]
        public string? Method { get; set; }

        /// <summary>The request path.</summary>
        [JsonPropertyName("path")]
        public string? Path { get; set; }

        /// <summary>The protocol, e.g. <c>HTTP/1.1</c>.</summary>
        [JsonPropertyName("protocol")]
        public string? Protocol { get; set; }

        /// <summary>The client's address.</summary>
        [JsonPropertyName("sourceIp")]
        public string? SourceIp { get; set; }

        /// <summary>The client's <c>User-Agent</c>.</summary>
        [JsonPropertyName("userAgent")]
        public string? UserAgent { get; set; }
    }

    /// <summary>The <c>requestContext.authorizer</c> of a 2.0 event.</summary>
    public sealed class AuthorizerDescription
    {
        /// <summary>A JWT authorizer's result.</summary>
        [JsonPropertyName("jwt")]
        public JwtDescription? Jwt { get; set; }

        /// <summary>A Lambda (or API-key) authorizer's context, values as they came.</summary>
        [JsonPropertyName("lambda")]
        public IDictionary<string, JsonElement>? Lambda { get; set; }
    }

    /// <summary>The <c>requestContext.authorizer.jwt</c> of a 2.0 event.</summary>
    public sealed class JwtDescription
    {
        /// <summary>The token's claims; a claim that is not a JSON string (a number, an array) keeps its JSON text.</summary>
        [JsonPropertyName("claims")]
        [JsonConverter(typeof(LenientStringDictionaryConverter))]
        public IDictionary<string, string>? Claims { get; set; }

        /// <summary>The token's scopes.</summary>
        [JsonPropertyName("scopes")]
        public IList<string>? Scopes { get; set; }
    }
}
