using System.Text;
using Shoal.Functions.Runtime;
using Shoal.Functions.Runtime.APIGateway;

namespace Shoal.Functions.Tests.Runtime;

public sealed class LambdaRuntimeTests
{
    [Fact]
    public async Task Typed_HttpApiHandler_ReadsTheEventAndWritesTheResponse()
    {
        var handler = LambdaRuntime.Typed(
            (APIGatewayHttpApiV2ProxyRequest request, ILambdaContext _) => Task.FromResult(new APIGatewayHttpApiV2ProxyResponse
            {
                StatusCode = 201,
                Body = request.RequestContext!.Http!.Method + " " + request.RawPath,
            }),
            APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyRequest,
            APIGatewayJsonContext.Default.APIGatewayHttpApiV2ProxyResponse);

        var output = await handler(Encoding.UTF8.GetBytes("""{"version":"2.0","rawPath":"/a","requestContext":{"http":{"method":"PUT"}}}"""), null!);

        Assert.Equal("""{"statusCode":201,"body":"PUT /a","isBase64Encoded":false}""", Encoding.UTF8.GetString(output.Span));
    }

    [Fact]
    public async Task Typed_NullEvent_ThrowsJsonException()
    {
        var handler = LambdaRuntime.Typed(
            (APIGatewayProxyRequest _, ILambdaContext _) => Task.FromResult(new APIGatewayProxyResponse()),
            APIGatewayJsonContext.Default.APIGatewayProxyRequest,
            APIGatewayJsonContext.Default.APIGatewayProxyResponse);

        await Assert.ThrowsAsync<System.Text.Json.JsonException>(() => handler(Encoding.UTF8.GetBytes("null"), null!));
    }
}
