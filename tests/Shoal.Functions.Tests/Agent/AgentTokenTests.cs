using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Tests.Agent;

/// <summary>An agent started with a token answers only callers that present it.</summary>
public sealed class AgentTokenTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-agent-test-").FullName;
    private readonly string _token = AgentToken.Create();
    private Microsoft.AspNetCore.Builder.WebApplication _agent = null!;

    public async Task InitializeAsync()
    {
        _agent = AgentServer.Build(new Uri("http://127.0.0.1:0"), _state, new FakeProcessRuntime(), new FakeTimeProvider(), token: _token);
        await _agent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task Calls_WithTheToken_AreAnswered()
    {
        using var client = new GrpcFunctionAgent(AgentServer.Address(_agent), _token);
        var heartbeat = await client.Client.HeartbeatAsync(new HeartbeatRequest { Owner = "o" });
        Assert.Equal("fake", heartbeat.Runtime);
        Assert.Empty(await client.ListAsync("o", CancellationToken.None));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-the-token")]
    public async Task Calls_WithoutTheToken_AreRefused_AndStartNothing(string? token)
    {
        using var client = new GrpcFunctionAgent(AgentServer.Address(_agent), token);
        var function = new Functions.Configuration.FunctionDefinition { Name = "evil", Command = ["bash", "-c", "id"], CodeDirectory = _state };

        var listed = await Assert.ThrowsAsync<RpcException>(() => client.ListAsync("o", CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, listed.StatusCode);
        await Assert.ThrowsAsync<FunctionStartException>(() => client.EnsureAsync("x", function, "o", CancellationToken.None));
        using var trusted = new GrpcFunctionAgent(AgentServer.Address(_agent), _token);
        Assert.Empty(await trusted.ListAsync("o", CancellationToken.None));
    }
}
