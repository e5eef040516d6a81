using Grpc.Core;
using Grpc.Net.Client;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;
using Shoal.Functions.Configuration;
using Shoal.Processes;

namespace Shoal.Functions.Pool;

/// <summary>Talks to an agent over gRPC (HTTP/2 without TLS).</summary>
public sealed class GrpcFunctionAgent : IFunctionAgent, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Agent.Protocol.Agent.AgentClient _client;
    private readonly InProcessAgentCalls? _inProcess;

    /// <summary>Connects to the agent at <paramref name="address"/>, e.g. <c>http://127.0.0.1:7071</c>.</summary>
    /// <param name="address">The agent's address.</param>
    /// <param name="token">The agent's bearer token, when it requires one.</param>
    /// <param name="inProcess">The agent's own service when it runs in this process: starts, listings and destroys skip the HTTP/2 round trip.</param>
    public GrpcFunctionAgent(Uri address, string? token = null, InProcessAgentCalls? inProcess = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        _inProcess = inProcess;
        HttpMessageHandler handler = Net.UpstreamHandlers.ControlPlane();
        if (!string.IsNullOrEmpty(token))
        {
            handler = new BearerHandler(token) { InnerHandler = handler };
        }

        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        _client = new Agent.Protocol.Agent.AgentClient(_channel);
    }

    /// <summary>The agent's address.</summary>
    public Uri Address { get; }

    /// <summary>The raw client, for the agent's other calls (pause, resume, heartbeat).</summary>
    public Agent.Protocol.Agent.AgentClient Client => _client;

    /// <inheritdoc />
    public async Task<AgentInstance> EnsureAsync(string id, FunctionDefinition function, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var spec = new FunctionSpec
        {
            Name = function.Name,
            Handler = function.Handler,
            CodeDirectory = function.CodeDirectory,
            MemoryMb = function.MemoryMb,
            TimeoutMs = (int)function.Timeout.TotalMilliseconds,
            InitTimeoutMs = (int)function.InitTimeout.TotalMilliseconds,
            Version = function.Version,
            Runtime = RuntimeNames.Of(function.Isolation.Runtime),
            Image = function.Isolation.Image ?? "",
            Network = function.Isolation.Network == NetworkMode.Isolated ? "isolated" : "host",
            User = function.Isolation.User ?? "",
            Cpus = function.Isolation.Cpus ?? 0,
            Pids = function.Isolation.MaxProcesses ?? 0,
            Idle = function.Isolation.Idle == IdleMode.Freeze ? "freeze" : "stop",
        };
        spec.Command.AddRange(function.Command);
        spec.Environment.Add(function.Environment.ToDictionary());
        spec.InheritEnv.AddRange(function.InheritEnvironment);
        try
        {
            var request = new EnsureContainerRequest { Id = id, Function = spec, Owner = owner, Traceparent = FunctionTraceContext.Current() ?? "" };
            var container = _inProcess is { } local
                ? await local.Ensure(request, cancellationToken).ConfigureAwait(false)
                : await _client.EnsureContainerAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Map(container);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            throw new FunctionStartException($"The agent at {Address} could not start {function.Name}: {ex.Status.Detail}", ex);
        }
    }

    /// <inheritdoc />
    public async Task DestroyAsync(string id, CancellationToken cancellationToken)
    {
        var request = new DestroyContainerRequest { Id = id, GraceMs = 500 };
        _ = _inProcess is { } local
            ? await local.Destroy(request).WaitAsync(cancellationToken).ConfigureAwait(false)
            : await _client.DestroyContainerAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AgentInstance>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        var request = new ListContainersRequest { Owner = owner };
        var response = _inProcess is { } local
            ? local.List(request)
            : await _client.ListContainersAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Containers.Select(Map).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    /// <summary>Adds the agent's token to every call (gRPC call credentials would need TLS).</summary>
    private sealed class BearerHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static AgentInstance Map(Container c) => new(c.Id, c.Function, c.InvokeUrl, c.State switch
    {
        ContainerState.Running => AgentInstanceState.Running,
        ContainerState.Paused => AgentInstanceState.Paused,
        ContainerState.Exited => AgentInstanceState.Exited,
        ContainerState.Orphaned => AgentInstanceState.Orphaned,
        _ => AgentInstanceState.Starting,
    }, c.Pid)
    {
        Runtime = c.Runtime,
        User = c.User,
        MemoryLimitBytes = c.MemoryLimitBytes,
        CpuLimit = c.CpuLimit,
        PidsLimit = c.PidsLimit,
        CpuSeconds = c.Usage?.CpuSeconds,
        MemoryBytes = c.Usage?.MemoryBytes,
        Pids = c.Usage?.Pids,
        OomKills = c.OomKills,
        OomKilled = c.OomKilled,
    };
}
