using System.Text.Json;
using Shoal.Functions.Runtime;
using Shoal.Functions.Runtime.APIGateway;

namespace Shoal.Functions.Tests.Runtime;

public sealed class APIGatewayJsonContextTests
{
    [Fact]
    public void Deserialize_HttpApiV2Event_ReadsTheFieldsHandlersUse()
    {
        const string json = """
            {"version":"2.0","routeKey":"GET /items/{id}","rawPath":"/items/42","rawQueryString":"a=1&a=2",
             "cookies":["c1=v1"],"headers":{"content-type":"text/plain"},"queryStringParameters":{"a":"1,2"},
             "pathParameters":{"id":"42"},"body":"aGk=","isBase64Encoded":true,
             "requestContext":{"requestId":"r-1","stage":"$default","time":"12/Mar/2020:19:03:58 +0000","timeEpoch":1583348638390,
               "http":{"method":"GET","path":"/items/42","sourceIp":"10.1.2.3"},
               "authorizer":{"jwt":{"claims":{"sub":"u-1","exp":1700000000,"aud":["a","b"],"admin":true},"scopes":["read"]},
                             "lambda":{"apiKeyId":"key-1"}}}}
            """;

        var request = JsonSerializer.Deserialize(json, APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyRequest)!;

        Assert.Equal("/items/42", request.RawPath);
        Assert.Equal(["c1=v1"], request.Cookies!);
        Assert.Equal("1,2", request.QueryStringParameters!["a"]);
        Assert.Equal("42", request.PathParameters!["id"]);
        Assert.True(request.IsBase64Encoded);
        var context = request.RequestContext!;
        Assert.Equal(("r-1", "$default", "GET", "10.1.2.3"), (context.RequestId, context.Stage, context.Http!.Method, context.Http.SourceIp));
        Assert.Equal(1583348638390, context.TimeEpoch);
        var claims = context.Authorizer!.Jwt!.Claims!;
        Assert.Equal("u-1", claims["sub"]);
        Assert.Equal("1700000000", claims["exp"]);
        Assert.Equal("""["a","b"]""", claims["aud"]);
        Assert.Equal("true", claims["admin"]);
        Assert.Equal("key-1", context.Authorizer.Lambda!["apiKeyId"].GetString());
    }

    [Fact]
    public void Deserialize_RestEvent_ReadsMultiValuesIdentityAndClaims()
    {
        const string json = """
            {"version":"1.0","resource":"/items/{id}","path":"/items/7","httpMethod":"POST",
             "headers":{"Cookie":"x=1"},"multiValueHeaders":{"Cookie":["x=1"]},
             "queryStringParameters":{"k":"2"},"multiValueQueryStringParameters":{"k":["1","2"]},
             "pathParameters":{"id":"7"},"stageVariables":null,"body":"hello","isBase64Encoded":false,
             "requestContext":{"requestId":"r-2","stage":"prod","requestTimeEpoch":1,
               "identity":{"sourceIp":"10.0.0.9","apiKey":null,"apiKeyId":"key-1"},
               "authorizer":{"claims":{"sub":"u2"},"scopes":["a"],"principalId":"p"}}}
            """;

        var request = JsonSerializer.Deserialize(json, APIGatewayJsonContext.Default.APIGatewayProxyRequest)!;

        Assert.Equal(("POST", "/items/7", "hello"), (request.HttpMethod, request.Path, request.Body));
        Assert.Equal(["1", "2"], request.MultiValueQueryStringParameters!["k"]);
        Assert.Equal(["x=1"], request.MultiValueHeaders!["Cookie"]);
        var context = request.RequestContext!;
        Assert.Equal(("10.0.0.9", "key-1"), (context.Identity!.SourceIp, context.Identity.ApiKeyId));
        Assert.Equal("u2", context.Authorizer!.Claims!["sub"]);
        Assert.Equal("p", context.Authorizer.PrincipalId);
        Assert.Equal(JsonValueKind.Array, context.Authorizer.Context!["scopes"].ValueKind);
    }

    [Fact]
    public void SerializeToUtf8Bytes_Response_LeavesNullsOutAndEscapesOnlyWhatJsonNeeds()
    {
        var response = new APIGatewayHttpApiV2ProxyResponse
        {
            StatusCode = 200,
            Headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
            Body = """{"a":"x+y<é>"}""",
        };

        var json = System.Text.Encoding.UTF8.GetString(LambdaJson.SerializeToUtf8Bytes(response, APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyResponse));

        Assert.Equal("""{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"a\":\"x+y<é>\"}","isBase64Encoded":false}""", json);
    }
}
