using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Configuration;
using Shoal.Functions.Events;

namespace Shoal.Functions.Tests.Events;

public sealed class ApiGatewayResponseTests
{
    private const string RestError = """{"message": "Internal server error"}""";
    private const string HttpApiError = """{"message":"Internal Server Error"}""";

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_ProxyResponse_SetsStatusHeadersAndBody(PayloadVersion version)
    {
        var (context, body) = await WriteAsync("""
            {"statusCode":201,"headers":{"Content-Type":"text/plain","X-Count":5,"X-Ok":true,"X-Null":null},"body":"created ✓","isBase64Encoded":false}
            """, version);

        Assert.Equal(201, context.Response.StatusCode);
        Assert.Equal("text/plain", context.Response.ContentType);
        Assert.Equal("5", context.Response.Headers["X-Count"]);
        Assert.Equal("true", context.Response.Headers["X-Ok"]);
        Assert.False(context.Response.Headers.ContainsKey("X-Null"));
        Assert.Equal("created ✓", body);
        Assert.Equal(Encoding.UTF8.GetByteCount("created ✓"), context.Response.ContentLength);
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_NoContentType_DefaultsToJson(PayloadVersion version)
    {
        var (context, body) = await WriteAsync("""{"statusCode":200,"body":"{\"ok\":true}"}""", version);

        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal("""{"ok":true}""", body);
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_StatusAsString_Accepted(PayloadVersion version)
    {
        var (context, _) = await WriteAsync("""{"statusCode":"404","body":"nope"}""", version);

        Assert.Equal(404, context.Response.StatusCode);
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_Base64Body_Decoded(PayloadVersion version)
    {
        var bytes = new byte[] { 0, 1, 2, 0xFE, 0xFF };

        var context = new DefaultHttpContext();
        var output = new MemoryStream();
        context.Response.Body = output;
        await ApiGatewayResponse.WriteAsync(context, Encoding.UTF8.GetBytes($$"""{"statusCode":200,"isBase64Encoded":true,"body":"{{Convert.ToBase64String(bytes)}}"}"""), version);

        Assert.Equal(bytes, output.ToArray());
    }

    [Fact]
    public async Task WriteAsync_V1MultiValueHeaders_MergedWithHeaders()
    {
        var (context, _) = await WriteAsync("""
            {"statusCode":200,"headers":{"X-A":"1","X-B":"solo"},"multiValueHeaders":{"X-A":["1","2"],"Set-Cookie":["a=1","b=2"]},"body":""}
            """, PayloadVersion.V1);

        Assert.Equal(["1", "2"], Values(context.Response.Headers["X-A"]));
        Assert.Equal("solo", context.Response.Headers["X-B"]);
        Assert.Equal(["a=1", "b=2"], Values(context.Response.Headers.SetCookie));
    }

    [Fact]
    public async Task WriteAsync_V2Cookies_EachBecomesSetCookie()
    {
        var (context, _) = await WriteAsync("""
            {"statusCode":200,"cookies":["a=1; Path=/","b=2; HttpOnly"],"multiValueHeaders":{"X-Ignored":["x"]},"body":"ok"}
            """, PayloadVersion.V2);

        Assert.Equal(["a=1; Path=/", "b=2; HttpOnly"], Values(context.Response.Headers.SetCookie));
        Assert.False(context.Response.Headers.ContainsKey("X-Ignored"));
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_FramingAndInvalidHeaders_Dropped(PayloadVersion version)
    {
        var (context, body) = await WriteAsync("""
            {"statusCode":200,"headers":{"Content-Length":"999","Transfer-Encoding":"chunked","Connection":"close","Keep-Alive":"timeout=5","X-Split":"a\r\nX-Injected: yes","Bad Name":"x","X-Good":"kept"},"body":"hello"}
            """, version);

        var headers = context.Response.Headers;
        Assert.Equal(5, context.Response.ContentLength);
        Assert.False(headers.ContainsKey("Transfer-Encoding"));
        Assert.False(headers.ContainsKey("Connection"));
        Assert.False(headers.ContainsKey("Keep-Alive"));
        Assert.False(headers.ContainsKey("X-Split"));
        Assert.False(headers.ContainsKey("X-Injected"));
        Assert.False(headers.ContainsKey("Bad Name"));
        Assert.Equal("kept", headers["X-Good"]);
        Assert.Equal("hello", body);
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_NoContent_WritesNoBody(PayloadVersion version)
    {
        var (context, body) = await WriteAsync("""{"statusCode":204,"body":"ignored"}""", version);

        Assert.Equal(204, context.Response.StatusCode);
        Assert.Equal("", body);
        Assert.Null(context.Response.ContentLength);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("""{"message":"no status here"}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""Hello, not JSON""")]
    [InlineData("""{"statusCode":200,"body":{"not":"a string"}}""")]
    [InlineData("""{"statusCode":"abc"}""")]
    [InlineData("""{"statusCode":99}""")]
    [InlineData("""{"statusCode":600}""")]
    [InlineData("""{"statusCode":200.5}""")]
    [InlineData("""{"statusCode":null}""")]
    [InlineData("""{"statusCode":200,"headers":["X-A: 1"]}""")]
    [InlineData("""{"statusCode":200,"headers":{"X-A":{"nested":1}}}""")]
    [InlineData("""{"statusCode":200,"multiValueHeaders":{"X-A":"not-an-array"}}""")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":true,"body":"***not base64***"}""")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":"maybe"}""")]
    [InlineData("")]
    public async Task WriteAsync_V1NotAProxyResponse_BadGateway(string result)
    {
        var (context, body) = await WriteAsync(result, PayloadVersion.V1);

        Assert.Equal(502, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(RestError, body);
    }

    [Theory]
    [InlineData("""{"statusCode":200,"body":{"not":"a string"}}""")]
    [InlineData("""{"statusCode":"abc"}""")]
    [InlineData("""{"statusCode":600}""")]
    [InlineData("""{"statusCode":200,"headers":["X-A: 1"]}""")]
    [InlineData("""{"statusCode":200,"cookies":"a=1"}""")]
    [InlineData("""{"statusCode":200,"cookies":[1]}""")]
    [InlineData("""{"statusCode":200,"isBase64Encoded":true,"body":"***not base64***"}""")]
    [InlineData("""{"statusCode":200,"headers":{"X-A":"\uD800"}}""")]
    [InlineData("""{"statusCode":200,"body":"\uDC00"}""")]
    public async Task WriteAsync_V2MalformedProxyResponse_InternalServerError(string result)
    {
        var (context, body) = await WriteAsync(result, PayloadVersion.V2);

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(HttpApiError, body);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""", """{"hello":"world"}""")]
    [InlineData("""[1, 2, 3]""", """[1, 2, 3]""")]
    [InlineData("""42""", """42""")]
    [InlineData("""true""", """true""")]
    [InlineData("""  "Hello from Lambda!" """, """Hello from Lambda!""")]
    [InlineData("""null""", "")]
    public async Task WriteAsync_V2JsonWithoutStatusCode_SentAsJson(string result, string expected)
    {
        var (context, body) = await WriteAsync(result, PayloadVersion.V2);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task WriteAsync_V2NotJson_RawText()
    {
        var (context, body) = await WriteAsync("plain words, not JSON", PayloadVersion.V2);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", context.Response.ContentType);
        Assert.Equal("plain words, not JSON", body);
    }

    [Theory]
    [InlineData(PayloadVersion.V1)]
    [InlineData(PayloadVersion.V2)]
    public async Task WriteAsync_AnyTruncationOrCorruption_NeverThrows(PayloadVersion version)
    {
        var valid = Encoding.UTF8.GetBytes("""
            {"statusCode":200,"headers":{"Content-Type":"text/plain","X-A":"1"},"multiValueHeaders":{"X-B":["1",2,true,null]},"cookies":["a=1"],"body":"aGVsbG8=","isBase64Encoded":true}
            """);
        var replacements = "\"{}[],:0 \\x\u00e9"u8.ToArray();

        for (var length = 0; length <= valid.Length; length++)
        {
            await WriteAsync(valid.AsMemory(0, length), version);
        }

        for (var i = 0; i < valid.Length; i++)
        {
            foreach (var replacement in replacements)
            {
                var corrupted = (byte[])valid.Clone();
                corrupted[i] = replacement;
                var (context, _) = await WriteAsync(corrupted, version);
                Assert.InRange(context.Response.StatusCode, 200, 599);
            }
        }
    }

    private static string[] Values(Microsoft.Extensions.Primitives.StringValues values) => values.Select(v => v!).ToArray();

    private static Task<(DefaultHttpContext Context, string Body)> WriteAsync(string result, PayloadVersion version) =>
        WriteAsync(Encoding.UTF8.GetBytes(result), version);

    private static async Task<(DefaultHttpContext Context, string Body)> WriteAsync(ReadOnlyMemory<byte> result, PayloadVersion version)
    {
        var context = new DefaultHttpContext();
        var output = new MemoryStream();
        context.Response.Body = output;
        await ApiGatewayResponse.WriteAsync(context, result, version);
        return (context, Encoding.UTF8.GetString(output.ToArray()));
    }
}
