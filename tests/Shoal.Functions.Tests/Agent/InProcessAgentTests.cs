using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Tests.Agent;

/// <summary>
/// A gateway in the agent's process starts, lists and destroys instances through the agent's service directly: the
/// same table, checks and errors as over gRPC. The client's address is a port nobody listens on, so a call that went
/// over gRPC would fail.
/// </summary>
public sealed class InProcessAgentTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-agent-inproc-").FullName;
    private readonly string _token = AgentToken.Create();
    private Microsoft.AspNetCore.Builder.WebApplication _agent = null!;
    private GrpcFunctionAgent _client = null!;
    private GrpcFunctionAgent _overGrpc = null!;

    public async Task InitializeAsync()
    {
        _agent = AgentServer.Build(new Uri("http://127.0.0.1:0"), _state, new FakeProcessRuntime(), new FakeTimeProvider(), token: _token);
        await _agent.StartAsync();
        _client = new GrpcFunctionAgent(ClosedPort(), _token, AgentServer.InProcess(_agent));
        _overGrpc = new GrpcFunctionAgent(AgentServer.Address(_agent), _token);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _overGrpc.Dispose();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task EnsureAsync_InProcess_StartsTheInstanceTheAgentLists()
    {
        var started = await _client.EnsureAsync("o.echo.1", Echo(_state), "o", CancellationToken.None);

        Assert.Equal("o.echo.1", started.Id);
        Assert.StartsWith("http://127.0.0.1:", started.InvokeUrl, StringComparison.Ordinal);
        var listed = Assert.Single(await _overGrpc.ListAsync("o", CancellationToken.None));
        Assert.Equal("o.echo.1", listed.Id);
        Assert.Equal(started.InvokeUrl, listed.InvokeUrl);
    }

    [Fact]
    public async Task EnsureAsync_InProcess_TheAgentsChecksStillApply()
    {
        var error = await Assert.ThrowsAsync<FunctionStartException>(() => _client.EnsureAsync("o.echo.2", Echo(Path.Combine(_state, "missing")), "o", CancellationToken.None));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _overGrpc.ListAsync("o", CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_InProcess_ListsWhatGrpcListsForTheOwnerOnly()
    {
        await _overGrpc.EnsureAsync("o.echo.1", Echo(_state), "o", CancellationToken.None);
        await _overGrpc.EnsureAsync("p.echo.1", Echo(_state), "p", CancellationToken.None);

        var local = await _client.ListAsync("o", CancellationToken.None);
        var remote = await _overGrpc.ListAsync("o", CancellationToken.None);

        var listed = Assert.Single(local);
        Assert.Equal("o.echo.1", listed.Id);
        Assert.Equal((remote.Single().InvokeUrl, remote.Single().State, remote.Single().Pid), (listed.InvokeUrl, listed.State, listed.Pid));
        Assert.Equal(2, (await _client.ListAsync("", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task DestroyAsync_InProcess_StopsAndForgetsTheInstance()
    {
        await _overGrpc.EnsureAsync("o.echo.1", Echo(_state), "o", CancellationToken.None);

        await _client.DestroyAsync("o.echo.1", CancellationToken.None);
        await _client.DestroyAsync("o.unknown.1", CancellationToken.None);

        Assert.Empty(await _overGrpc.ListAsync("o", CancellationToken.None));
    }

    private static FunctionDefinition Echo(string code) => new() { Name = "echo", Command = ["./bootstrap"], CodeDirectory = code };

    // A loopback port that was just free: nothing answers there.
    private static Uri ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new Uri($"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}");
    }
}
