using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Shoal.Http;

namespace Shoal.Hosting.Tests.Http;

public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_BodyWithinTheLimit_ReturnsItWhole()
    {
        var body = Enumerable.Range(0, 40_000).Select(i => (byte)i).ToArray();

        Assert.Equal(body, await RequestBody.ReadAsync(Request(body, contentLength: null), maxBytes: 40_000));
        Assert.Equal(body, await RequestBody.ReadAsync(Request(body, contentLength: body.Length), maxBytes: 40_000));
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_IsNullWithoutReading()
    {
        var stream = new MemoryStream(new byte[10]);
        var request = Request(stream, contentLength: 101);

        Assert.Null(await RequestBody.ReadAsync(request, maxBytes: 100));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task ReadAsync_StreamedBodyOverTheLimit_IsNull()
    {
        Assert.Null(await RequestBody.ReadAsync(Request(new byte[40_001], contentLength: null), maxBytes: 40_000));
    }

    [Fact]
    public async Task ReadAsync_RequestThatCannotHaveABody_IsEmptyWithoutReading()
    {
        var stream = new MemoryStream(new byte[10]);
        var request = Request(stream, contentLength: null);
        request.HttpContext.Features.Set<IHttpRequestBodyDetectionFeature>(new NoBody());

        Assert.Empty((await RequestBody.ReadAsync(request, maxBytes: 100))!);
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task ReadAsync_ServerRefusesTheBodyAsTooLarge_IsNull_OtherBadRequestsThrow()
    {
        Assert.Null(await RequestBody.ReadAsync(Request(new Failing(StatusCodes.Status413PayloadTooLarge), contentLength: null), maxBytes: 100));
        await Assert.ThrowsAsync<BadHttpRequestException>(() => RequestBody.ReadAsync(Request(new Failing(StatusCodes.Status400BadRequest), contentLength: null), maxBytes: 100));
    }

    private static HttpRequest Request(byte[] body, long? contentLength) => Request(new MemoryStream(body), contentLength);

    private static HttpRequest Request(Stream body, long? contentLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = body;
        context.Request.ContentLength = contentLength;
        return context.Request;
    }

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => false;
    }

    /// <summary>A body the server gives up on, as Kestrel does past its limit (413) or on bad framing (400).</summary>
    private sealed class Failing(int status) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new BadHttpRequestException("refused", status);
    }
}
