using System.Text.Json.Serialization;

namespace Shoal.Functions.Runtime.APIGateway;

/// <summary>
/// Source-generated JSON for the API Gateway events and responses (no reflection: safe to trim and to publish as
/// Native AOT). Null members are left out of responses.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyResponse))]
[JsonSerializable(typeof(APIGatewayProxyRequest))]
[JsonSerializable(typeof(APIGatewayProxyResponse))]
[JsonSerializable(typeof(APIGatewayHttpApiV2ProxyRequest.ProxyRequestContext), TypeInfoPropertyName = "HttpApiV2ProxyRequestContext")]
[JsonSerializable(typeof(APIGatewayProxyRequest.ProxyRequestContext), TypeInfoPropertyName = "ProxyRequestContext")]
public sealed partial class APIGatewayJsonContext : JsonSerializerContext;
