using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent;
using Shoal.Functions.Configuration;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Tests.Agent;

/// <summary>A gateway in the agent's process starts instances through the agent's service directly: the same table, checks and errors as over gRPC.</summary>
public sealed class InProcessEnsureTests : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-agent-inproc-").FullName;
    private readonly string _token = AgentToken.Create();
    private Microsoft.AspNetCore.Builder.WebApplication _agent = null!;
    private GrpcFunctionAgent _client = null!;

    public async Task InitializeAsync()
    {
        _agent = AgentServer.Build(new Uri("http://127.0.0.1:0"), _state, new FakeProcessRuntime(), new FakeTimeProvider(), token: _token);
        await _agent.StartAsync();
        _client = new GrpcFunctionAgent(AgentServer.Address(_agent), _token, AgentServer.InProcessEnsure(_agent));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _agent.StopAsync();
        await _agent.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task EnsureAsync_InProcess_StartsTheInstanceTheAgentLists()
    {
        var function = new FunctionDefinition { Name = "echo", Command = ["./bootstrap"], CodeDirectory = _state };

        var started = await _client.EnsureAsync("o.echo.1", function, "o", CancellationToken.None);

        Assert.Equal("o.echo.1", started.Id);
        Assert.StartsWith("http://127.0.0.1:", started.InvokeUrl, StringComparison.Ordinal);
        var listed = Assert.Single(await _client.ListAsync("o", CancellationToken.None));
        Assert.Equal("o.echo.1", listed.Id);
        Assert.Equal(started.InvokeUrl, listed.InvokeUrl);
    }

    [Fact]
    public async Task EnsureAsync_InProcess_TheAgentsChecksStillApply()
    {
        var function = new FunctionDefinition { Name = "echo", Command = ["./bootstrap"], CodeDirectory = Path.Combine(_state, "missing") };

        var error = await Assert.ThrowsAsync<FunctionStartException>(() => _client.EnsureAsync("o.echo.2", function, "o", CancellationToken.None));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _client.ListAsync("o", CancellationToken.None));
    }
}
