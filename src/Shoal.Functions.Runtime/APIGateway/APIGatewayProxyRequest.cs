using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Functions.Runtime.APIGateway;

/// <summary>A REST API proxy event, payload format 1.0: the fields handlers read.</summary>
public sealed class APIGatewayProxyRequest
{
    /// <summary>The payload format when the event names one (<c>1.0</c>); REST events usually do not.</summary>
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    /// <summary>The matched resource, e.g. <c>/items/{id}</c>.</summary>
    [JsonPropertyName("resource")]
    public string? Resource { get; set; }

    /// <summary>The request path.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    /// <summary>The HTTP method.</summary>
    [JsonPropertyName("httpMethod")]
    public string? HttpMethod { get; set; }

    /// <summary>The headers, last value of each.</summary>
    [JsonPropertyName("headers")]
    public IDictionary<string, string>? Headers { get; set; }

    /// <summary>The headers, every value of each.</summary>
    [JsonPropertyName("multiValueHeaders")]
    public IDictionary<string, IList<string>>? MultiValueHeaders { get; set; }

    /// <summary>The query parameters, last value of each.</summary>
    [JsonPropertyName("queryStringParameters")]
    public IDictionary<string, string>? QueryStringParameters { get; set; }

    /// <summary>The query parameters, every value of each.</summary>
    [JsonPropertyName("multiValueQueryStringParameters")]
    public IDictionary<string, IList<string>>? MultiValueQueryStringParameters { get; set; }

    /// <summary>The values of the resource's <c>{placeholders}</c>.</summary>
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

    /// <summary>The <c>requestContext</c> of a REST event.</summary>
    public sealed class ProxyRequestContext
    {
        /// <summary>The owning account.</summary>
        [JsonPropertyName("accountId")]
        public string? AccountId { get; set; }

        /// <summary>The API's id.</summary>
        [JsonPropertyName("apiId")]
        public string? ApiId { get; set; }

        /// <summary>The matched resource's path.</summary>
        [JsonPropertyName("resourcePath")]
        public string? ResourcePath { get; set; }

        /// <summary>The full request path, stage included.</summary>
        [JsonPropertyName("path")]
        public string? Path { get; set; }

        /// <summary>The HTTP method.</summary>
        [JsonPropertyName("httpMethod")]
        public string? HttpMethod { get; set; }

        /// <summary>The request's id, unique per request.</summary>
        [JsonPropertyName("requestId")]
        public string? RequestId { get; set; }

        /// <summary>The stage, e.g. <c>prod</c>.</summary>
        [JsonPropertyName("stage")]
        public string? Stage { get; set; }

        /// <summary>The host the request was sent to.</summary>
        [JsonPropertyName("domainName")]
        public string? DomainName { get; set; }

        /// <summary>The protocol, e.g. <c>HTTP/1.1</c>.</summary>
        [JsonPropertyName("protocol")]
        public string? Protocol { get; set; }

        /// <summary>When the request arrived, e.g. <c>09/Apr/2015:12:34:56 +0000</c>.</summary>
        [JsonPropertyName("requestTime")]
        public string? RequestTime { get; set; }

        /// <summary>When the request arrived, in Unix milliseconds.</summary>
        [JsonPropertyName("requestTimeEpoch")]
        public long RequestTimeEpoch { get; set; }

        /// <summary>The caller: address, agent, API key.</summary>
        [JsonPropertyName("identity")]
        public RequestIdentity? Identity { get; set; }

        /// <summary>What the authorizer established, or null for an open resource.</summary>
        [JsonPropertyName("authorizer")]
        public AuthorizerContext? Authorizer { get; set; }
    }

    /// <summary>The <c>requestContext.identity</c> of a REST event.</summary>
    public sealed class RequestIdentity
    {
        /// <summary>The client's address.</summary>
        [JsonPropertyName("sourceIp")]
        public string? SourceIp { get; set; }

        /// <summary>The client's <c>User-Agent</c>.</summary>
        [JsonPropertyName("userAgent")]
        public string? UserAgent { get; set; }

        /// <summary>The id of the API key the request carried.</summary>
        [JsonPropertyName("apiKeyId")]
        public string? ApiKeyId { get; set; }

        /// <summary>The API key the request carried.</summary>
        [JsonPropertyName("apiKey")]
        public string? ApiKey { get; set; }
    }

    /// <summary>The <c>requestContext.authorizer</c> of a REST event: JWT claims, or a custom authorizer's context.</summary>
    public sealed class AuthorizerContext
    {
        /// <summary>The principal a custom authorizer returned.</summary>
        [JsonPropertyName("principalId")]
        public string? PrincipalId { get; set; }

        /// <summary>A token's claims; a claim that is not a JSON string (a number, an array) keeps its JSON text.</summary>
        [JsonPropertyName("claims")]
        [JsonConverter(typeof(LenientStringDictionaryConverter))]
        public IDictionary<string, string>? Claims { get; set; }

        /// <summary>Any other context values, as they came.</summary>
        [JsonExtensionData]
        public IDictionary<string, JsonElement>? Context { get; set; }
    }
}
