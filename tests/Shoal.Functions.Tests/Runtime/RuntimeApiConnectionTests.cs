using System.Text;
using Shoal.Functions.Runtime;

namespace Shoal.Functions.Tests.Runtime;

/// <summary>The Runtime API client's own HTTP/1.1 against a server whose answers are scripted byte for byte.</summary>
public sealed class RuntimeApiConnectionTests : IAsyncLifetime
{
    private static readonly byte[] s_get = Encoding.ASCII.GetBytes("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n");
    private ScriptedHttpServer _server = null!;
    private RuntimeApiConnection _connection = null!;

    public Task InitializeAsync()
    {
        _server = new ScriptedHttpServer();
        _connection = new RuntimeApiConnection("127.0.0.1", _server.Port);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Exchange_ContentLengthAnswer_ReadsStatusLambdaHeadersAnyCaseAndBody()
    {
        _server.Answer("HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id: r-1\r\nLAMBDA-RUNTIME-DEADLINE-MS:  1700000000000 \r\n" +
                       "Lambda-Runtime-Invoked-Function-Arn: arn:x\r\nLambda-Runtime-Trace-Id: Root=1-a\r\ncontent-length: 7\r\n\r\n{\"n\":1}");

        var response = await Exchange(s_get);

        Assert.Equal((200, "r-1", "1700000000000", "arn:x", "Root=1-a"), (response.Status, response.RequestId, response.DeadlineMs, response.InvokedFunctionArn, response.TraceId));
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task Exchange_ChunkedAnswerWithExtensionsAndTrailers_ThenAKeptAliveExchange_ReadsBothOnOneConnection()
    {
        _server.Answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\nA\r\n:123456789\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n");
        _server.Answer("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");

        var first = await Exchange(s_get);
        var second = await Exchange(s_get);

        Assert.Equal("{\"a\":123456789}", Encoding.UTF8.GetString(first.Body));
        Assert.Equal((202, "{}"), (second.Status, Encoding.UTF8.GetString(second.Body)));
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task Exchange_InterimContinueBeforeTheAnswer_IsSkipped()
    {
        _server.Answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(202, (await Exchange(s_get)).Status);
    }

    [Fact]
    public async Task Exchange_AnswerWithConnectionClose_NextExchangeOpensANewConnection()
    {
        _server.Answer("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        _server.Answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");

        await Exchange(s_get);
        var second = await Exchange(s_get);

        Assert.Equal("x", Encoding.UTF8.GetString(second.Body));
        Assert.Equal(2, _server.Connections);
    }

    [Fact]
    public async Task Exchange_KeptAliveConnectionClosedByTheServerWhileIdle_SendsTheRequestOnceMoreOnANewConnection()
    {
        // The server closes right after its answer without saying so: the client learns it only at the next request.
        _server.Answer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", close: true);
        _server.Answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");

        await Exchange(s_get);
        var second = await Exchange(Encoding.ASCII.GetBytes("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));

        Assert.Equal("y", Encoding.UTF8.GetString(second.Body));
        Assert.Equal(2, _server.Connections);
        Assert.Equal(1, _server.Requests.Count(r => r.StartsWith("POST /p ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Exchange_AnswerCutShort_ThrowsIOException()
    {
        _server.Answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close: true);

        await Assert.ThrowsAsync<IOException>(() => Exchange(s_get));
    }

    [Fact]
    public async Task Exchange_NotHttp_ThrowsIOException()
    {
        _server.Answer("SSH-2.0-OpenSSH\r\n\r\n");

        await Assert.ThrowsAsync<IOException>(() => Exchange(s_get));
    }

    private Task<RuntimeApiResponse> Exchange(byte[] request) =>
        Task.Run(() => _connection.Exchange(request, default, readHeaders: true)).WaitAsync(TimeSpan.FromSeconds(10));
}
