using System.Text;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Configuration;
using Shoal.Functions.Events;
using Shoal.Testing.Fuzzing;
using Xunit.Abstractions;
using static Shoal.Testing.Fuzzing.JsonMutations;

namespace Shoal.Functions.Tests.Events;

/// <summary>
/// Generated function results through the API Gateway response mapping: it never throws, answers a status from 100 to
/// 599, and sends only headers Kestrel can put on the wire.
/// </summary>
[Trait("Category", Fuzz.Category)]
public sealed class ApiGatewayResponseFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<string> s_headerValue = Gen.OneOf(Str("text/plain", "a b", "1", "x\\r\\ny: z", "\\u00e9", "\\t", "\\u0000"), Gen.OneOf("1", "true", "null", "1.5", "[]", "{}"));

    private static readonly Gen<string> s_proxy = Object(
        ("statusCode", Gen.OneOf("200", "201", "204", "304", "404", "599", "100", "\"200\"", "\" 200\"", "600", "99")),
        ("headers", Map(s_headerValue)),
        ("multiValueHeaders", Map(Array(s_headerValue))),
        ("cookies", Array(Str("a=b", "c=d; Path=/", "x\\r\\ny"))),
        ("body", Gen.OneOf(Str("hello", "{\\\"ok\\\":true}", "aGVsbG8=", "not base64!", ""), Gen.Const("null"))),
        ("isBase64Encoded", Gen.OneOf("true", "false", "\"true\"")));

    private static readonly Gen<byte[]> s_result = Gen.Frequency(
        (8, s_proxy.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.OneOf("null", "\"Hello\"", "42", "[1,2]", "{}", "{\"body\":\"x\"}", "not json", "").Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Byte.Array[0, 64]));

    [Fact]
    public void Interpret_GeneratedResults_AnswerASendableResponse() =>
        Fuzz.Run(Gen.Select(s_result, Gen.OneOf(PayloadVersion.V1, PayloadVersion.V2)), seed: 7, c => Sendable(c.Item1, c.Item2), output.WriteLine);

    /// <summary>The fuzz property: a status from 100 to 599 and headers of tokens and visible ASCII, written without throwing.</summary>
    internal static void Sendable(byte[] result, PayloadVersion version)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        ApiGatewayResponse.WriteAsync(context, result, version).GetAwaiter().GetResult();
        Assert.InRange(context.Response.StatusCode, 100, 599);
        foreach (var (name, values) in context.Response.Headers)
        {
            Assert.All(name, c => Assert.True(c > ' ' && c < 127, $"header name {name}"));
            Assert.All(values.ToString(), c => Assert.True(c == '\t' || (c >= ' ' && c < 127), $"header {name}: {values}"));
        }
    }
}
