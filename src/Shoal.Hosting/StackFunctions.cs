using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Shoal.Events;
using Shoal.Functions.Agent;
using Shoal.Functions.Configuration;
using Shoal.Functions.Hosting;
using Shoal.Functions.Pool;
using Shoal.Orchestration.Stack;
using Shoal.Processes;

namespace Shoal.Hosting;

/// <summary>
/// A stack's functions in the daemon: the agent (a local one in this process, listening on a free loopback port, unless
/// the stack names one), the gRPC client to it, the invoker (direct to a local agent's instances, else HTTP), and the
/// host with the pools, janitor and invocation queue.
/// </summary>
internal sealed class StackFunctions : IAsyncDisposable
{
    private readonly WebApplication? _localAgent;
    private readonly GrpcFunctionAgent _agent;
    private readonly HttpInstanceInvoker _http;
    private readonly FunctionRequestHandler _handler;
    private int _disposed;

    private StackFunctions(FunctionsHost host, WebApplication? localAgent, GrpcFunctionAgent agent, HttpInstanceInvoker http)
    {
        Host = host;
        _localAgent = localAgent;
        _agent = agent;
        _http = http;
        _handler = new FunctionRequestHandler(host);
    }

    public FunctionsHost Host { get; }

    /// <summary>Where the agent listens.</summary>
    public Uri AgentAddress => _agent.Address;

    /// <summary>The gateway middleware for function routes.</summary>
    public Func<HttpContext, RequestDelegate, Task> Front => _handler.InvokeAsync;

    /// <summary>Opens the stack's functions (<paramref name="configuration"/>, as read once with the stack file), or returns null when it has none.</summary>
    public static async Task<StackFunctions?> OpenAsync(StackDefinition stack, FunctionsConfiguration? configuration, ILoggerFactory loggers, Action<ILoggingBuilder> logging, IPlatformEvents? events = null)
    {
        if (configuration is null)
        {
            return null;
        }

        WebApplication? local = null;
        Uri address;
        string? token = null;
        if (stack.Functions.Agent == "local")
        {
            // The local agent's port is on loopback, where any user may connect: only this daemon knows its token.
            token = AgentToken.Create();
            var state = Path.Combine(stack.StateDirectory, "agent");
            var runtimes = DaemonRuntimes.Create(TimeProvider.System, ProcessScope.ForStateDirectory(state), Path.Combine(state, "runtimes"));
            local = AgentServer.Build(new Uri("http://127.0.0.1:0"), state, runtimes, TimeProvider.System, logging, token);
            await local.StartAsync();
            address = AgentServer.Address(local);
        }
        else
        {
            address = new Uri(stack.Functions.Agent);
        }

        // A local agent's starts, listings and destroys go to its service directly, not over gRPC on loopback.
        var agent = new GrpcFunctionAgent(address, token, local is null ? null : AgentServer.InProcess(local));
        // A local agent's instances take events straight from the gateway; a remote agent's over HTTP.
        var http = new HttpInstanceInvoker();
        var invoker = local is null ? http : AgentServer.LocalInvoker(local, http);
        var host = new FunctionsHost(configuration, stack.Name, agent, invoker, TimeProvider.System, loggers, new FunctionsHostOptions { JanitorInterval = stack.Functions.JanitorInterval, Events = events ?? PlatformEvents.None });
        return new StackFunctions(host, local, agent, http);
    }

    public void Start() => Host.Start();

    public async ValueTask DisposeAsync()
    {
        // The daemon stops functions in order (after the services, before the listeners) and again on its way out.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Host.DisposeAsync();
        _agent.Dispose();
        _http.Dispose();
        if (_localAgent is not null)
        {
            await _localAgent.StopAsync(CancellationToken.None);
            await _localAgent.DisposeAsync();
        }
    }
}
