using System.Net;
using System.Text;
using Shoal.Functions.Runtime;

namespace Shoal.Functions.Tests.Runtime;

/// <summary>The Runtime API client's requests and its pipelined <c>next</c>, against a server scripted byte for byte.</summary>
public sealed class RuntimeApiClientTests : IAsyncLifetime
{
    private const string Accepted = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}";
    private ScriptedHttpServer _server = null!;
    private RuntimeApiClient _client = null!;

    public Task InitializeAsync()
    {
        _server = new ScriptedHttpServer();
        _client = new RuntimeApiClient($"127.0.0.1:{_server.Port}/s3cret");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task PostResponseThenNext_SendsBothRequestsAsHttpClientDid_OnOneConnection_AndNextReadsThePipelinedAnswer()
    {
        _server.Answer(Event("req-1", "{\"n\":1}"));
        _server.Answer(Accepted);
        _server.Answer(Event("req-2", "{\"n\":2}"));

        var first = await Run(() => _client.Next(CancellationToken.None));
        var status = await Run(() => _client.PostResponse(first.RequestId, "\"ok\""u8.ToArray(), CancellationToken.None, thenNext: true));
        var second = await Run(() => _client.Next(CancellationToken.None));

        Assert.Equal(("req-1", HttpStatusCode.Accepted, "req-2", "{\"n\":2}"), (first.RequestId, status, second.RequestId, Encoding.UTF8.GetString(second.Event.Span)));
        Assert.Equal(
            [
                "GET /s3cret/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:" + _server.Port + "\r\n\r\n",
                "POST /s3cret/2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: 127.0.0.1:" + _server.Port + "\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n\"ok\"",
                "GET /s3cret/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:" + _server.Port + "\r\n\r\n",
            ],
            _server.Requests);
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task PipelinedNext_AnsweredAfterTheLowWaterWait_EvenWhenItsAnswerIsShorterThanThePosts()
    {
        // The second post waits for more than the first post's answer before it wakes: a short answer to the pipelined
        // next (410, no body) must still arrive and be read.
        _server.Answer(Event("req-1", "{}"));
        _server.Answer(Accepted);
        _server.Answer(Event("req-2", "{}"));
        _server.Answer(Accepted);
        _server.Answer("HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n");

        await Run(() => _client.Next(CancellationToken.None));
        await Run(() => _client.PostResponse("req-1", "1"u8.ToArray(), CancellationToken.None, thenNext: true));
        await Run(() => _client.Next(CancellationToken.None));
        Assert.Equal(HttpStatusCode.Accepted, await Run(() => _client.PostResponse("req-2", "2"u8.ToArray(), CancellationToken.None, thenNext: true)));
        var gone = await Assert.ThrowsAsync<HttpRequestException>(() => Run(() => _client.Next(CancellationToken.None)));

        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async Task PipelinedNext_ServerClosedAfterThePostsAnswer_NextIsSentAgainOnANewConnection()
    {
        _server.Answer(Event("req-1", "{}"));
        _server.Answer(Accepted, close: true);
        _server.Answer(Event("req-2", "{}"));

        await Run(() => _client.Next(CancellationToken.None));
        await Run(() => _client.PostResponse("req-1", "1"u8.ToArray(), CancellationToken.None, thenNext: true));
        var second = await Run(() => _client.Next(CancellationToken.None));

        Assert.Equal("req-2", second.RequestId);
        Assert.Equal(2, _server.Connections);
    }

    [Fact]
    public async Task PostError_SendsTheErrorTypeHeader_WithControlCharactersReplaced()
    {
        _server.Answer(Accepted);

        await Run(() => _client.PostError("req-1", new LambdaError { ErrorType = "Bad\r\nType", ErrorMessage = "m" }, CancellationToken.None));

        Assert.Contains("\r\nLambda-Runtime-Function-Error-Type: Bad__Type\r\n", _server.Requests.Single(), StringComparison.Ordinal);
    }

    private static string Event(string requestId, string json) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {requestId}\r\nLambda-Runtime-Deadline-Ms: 1700000000000\r\nContent-Length: {json.Length}\r\n\r\n{json}";

    private static Task<T> Run<T>(Func<T> call) => Task.Run(call).WaitAsync(TimeSpan.FromSeconds(10));
}
