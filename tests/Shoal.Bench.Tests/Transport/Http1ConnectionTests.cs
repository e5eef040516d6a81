using System.Net;
using Shoal.Bench.Requests;
using Shoal.Bench.Transport;

namespace Shoal.Bench.Tests.Transport;

public sealed class Http1ConnectionTests : IAsyncLifetime
{
    private readonly ScriptedServer _server = new();
    private readonly DeadlineWatchdog _watchdog = new(TimeProvider.System);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _watchdog.DisposeAsync();
    }

    private Http1Connection Connect(CountSpec? count = null, TimeSpan? timeout = null) =>
        new(_server.EndPoint, timeout ?? TimeSpan.FromSeconds(5), count ?? CountSpec.Default, TimeProvider.System, _watchdog);

    private BenchRequest Get(string path = "/x") => new("GET", new Uri($"http://127.0.0.1:{_server.EndPoint.Port}{path}"), [], null);

    [Fact]
    public async Task Send_ContentLengthInFragments_ReadsTheWholeResponseAndTheCountedHeader()
    {
        _server.Then("HTTP/1.1 200 OK\r\nContent-Le", "ngth: 10\r\nX-Shoal-Instance: app-2\r\n\r\n01234", "56789");
        await using var connection = Connect();

        var response = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(new BenchResponse(200, "app-2"), response);
    }

    [Fact]
    public async Task Send_BodyInTheSameReadAsTheHead_IsSkippedWholeBeforeTheNextResponse()
    {
        _server
            .Then("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"a\":\"b\"}\r\n")
            .Then("HTTP/1.1 202 Accepted\r\nContent-Length: 3\r\n\r\nabc");
        await using var connection = Connect();

        var first = await connection.SendAsync(Get(), CancellationToken.None);
        var second = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(200, first.Status);
        Assert.Equal(202, second.Status);
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task Send_ChunkedWithExtensionsAndTrailers_KeepsTheConnectionForTheNextRequest()
    {
        _server
            .Then("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nab", "cd\r\n0\r\nX-Trailer: t\r\n\r\n")
            .Then("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
        await using var connection = Connect();

        var first = await connection.SendAsync(Get(), CancellationToken.None);
        var second = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(201, first.Status);
        Assert.Equal(404, second.Status);
        Assert.Equal(1, _server.Connections);
    }

    [Fact]
    public async Task Send_NoLengthAndConnectionClose_ReadsToTheEndThenReconnects()
    {
        _server
            .ThenAndClose("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"container\":", "\"app-7\"}")
            .Then("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        await using var connection = Connect(new CountSpec(null, "container"));

        var first = await connection.SendAsync(Get(), CancellationToken.None);
        var second = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(new BenchResponse(200, "app-7"), first);
        Assert.Equal(new BenchResponse(200, null), second);
        Assert.Equal(2, _server.Connections);
    }

    [Fact]
    public async Task Send_JsonField_CountsTheTopLevelValueOnly()
    {
        var body = "{\"pid\":4,\"nested\":{\"container\":\"x\"},\"container\":\"app-1\"}";
        _server.Then($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        await using var connection = Connect(new CountSpec(null, "container"));

        var response = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal("app-1", response.CountKey);
    }

    [Fact]
    public async Task Send_ServerClosedIdleKeepAlive_RetriesOnceOnANewConnection()
    {
        _server.Then("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").ThenClose().Then("HTTP/1.1 204 No Content\r\n\r\n");
        await using var connection = Connect();
        await connection.SendAsync(Get(), CancellationToken.None);

        var response = await connection.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(204, response.Status);
        Assert.Equal(2, _server.Connections);
    }

    [Fact]
    public async Task Send_NoAnswerWithinTheTimeout_IsATimeout()
    {
        _server.ThenStall(TimeSpan.FromSeconds(3));
        await using var connection = Connect(timeout: TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<BenchTransportException>(() => connection.SendAsync(Get(), CancellationToken.None).AsTask());

        Assert.Equal(ErrorKind.Timeout, error.Kind);
    }

    [Fact]
    public async Task Send_NothingListening_IsConnectRefused()
    {
        var port = Testing.FreePort.Next();
        await using var connection = new Http1Connection(new IPEndPoint(IPAddress.Loopback, port), TimeSpan.FromSeconds(5), CountSpec.Default, TimeProvider.System, _watchdog);

        var error = await Assert.ThrowsAsync<BenchTransportException>(() => connection.SendAsync(Get(), CancellationToken.None).AsTask());

        Assert.Equal(ErrorKind.ConnectRefused, error.Kind);
    }

    [Fact]
    public async Task Send_ClosedMidResponse_IsAReset()
    {
        _server.ThenAndClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
        await using var connection = Connect();
        var pending = connection.SendAsync(Get(), CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<BenchTransportException>(() => pending);

        Assert.Equal(ErrorKind.Reset, error.Kind);
    }

    [Fact]
    public async Task Send_PostWithTemplate_SendsTheSubstitutedRequest()
    {
        var template = new RequestTemplate("post", $"http://127.0.0.1:{_server.EndPoint.Port}/s/{{{{n}}}}", [new("X-Session-Id", "c{{client}}")], "{\"n\":{{n}}}");
        await using var connection = Connect();

        await connection.SendAsync(template.For(7, 3), CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.StartsWith("POST /s/7 HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("X-Session-Id: c3\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 7", request, StringComparison.Ordinal);
        Assert.True(template.Varies);
    }
}
