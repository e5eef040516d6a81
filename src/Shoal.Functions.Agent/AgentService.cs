using Grpc.Core;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Telemetry;
using Shoal.Processes;

namespace Shoal.Functions.Agent;

/// <summary>
/// The agent's gRPC service: instances on this host, started by the configured runtime. The one place the wire's
/// messages meet the agent: requests become <see cref="FunctionConfiguration"/>, instances go back as <see cref="Container"/>.
/// </summary>
internal sealed class AgentService(InstanceTable instances, IProcessRuntimeProvider runtimes, AgentIdentity identity, TimeProvider time) : Protocol.Agent.AgentBase
{
    public override Task<Container> EnsureContainer(EnsureContainerRequest request, ServerCallContext context) =>
        EnsureAsync(request, context.CancellationToken);

    /// <summary>Starts the instance unless it runs; failures as the <see cref="RpcException"/> the wire carries. A gateway in the agent's process calls it directly.</summary>
    internal async Task<Container> EnsureAsync(EnsureContainerRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Id) || request.Function is null || string.IsNullOrEmpty(request.Function.Name) || request.Function.Command.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id, function.name and function.command are required."));
        }

        if (!Directory.Exists(request.Function.CodeDirectory))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"code directory '{request.Function.CodeDirectory}' does not exist."));
        }

        using var span = AgentTracing.StartEnsure(request.Traceparent, request.Function.Name, request.Id);
        try
        {
            return ToContainer(await instances.EnsureAsync(request.Id, request.Owner, ToConfiguration(request.Function), cancellationToken).ConfigureAwait(false));
        }
        catch (ProcessStartException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
        catch (InvalidOperationException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
    }

    public override Task<DestroyContainerResponse> DestroyContainer(DestroyContainerRequest request, ServerCallContext context) =>
        DestroyAsync(request);

    /// <summary>Stops and forgets the instance. A gateway in the agent's process calls it directly.</summary>
    internal async Task<DestroyContainerResponse> DestroyAsync(DestroyContainerRequest request)
    {
        var existed = await instances.DestroyAsync(request.Id, TimeSpan.FromMilliseconds(Math.Max(0, request.GraceMs))).ConfigureAwait(false);
        return new DestroyContainerResponse { Existed = existed };
    }

    public override Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context) =>
        Task.FromResult(List(request));

    /// <summary>The owner's instances (every instance for an empty owner). A gateway in the agent's process calls it directly.</summary>
    internal ListContainersResponse List(ListContainersRequest request)
    {
        var response = new ListContainersResponse();
        response.Containers.AddRange(instances.List(request.Owner).Select(ToContainer));
        return response;
    }

    public override Task<Container> PauseContainer(ContainerRef request, ServerCallContext context) =>
        Task.FromResult(ToContainer(instances.Pause(request.Id, pause: true) ?? throw NotFound(request.Id)));

    public override Task<Container> ResumeContainer(ContainerRef request, ServerCallContext context) =>
        Task.FromResult(ToContainer(instances.Pause(request.Id, pause: false) ?? throw NotFound(request.Id)));

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context) =>
        Task.FromResult(new HeartbeatResponse
        {
            AgentId = identity.Id,
            Runtime = runtimes.Get(RuntimeKind.Process).Name,
            Containers = instances.Count,
            NowUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        });

    /// <summary>The agent's form of the wire's function spec.</summary>
    internal static FunctionConfiguration ToConfiguration(FunctionSpec spec) => new()
    {
        Name = spec.Name,
        Command = [.. spec.Command],
        Handler = spec.Handler,
        CodeDirectory = spec.CodeDirectory,
        MemoryMb = spec.MemoryMb,
        TimeoutMs = spec.TimeoutMs,
        InitTimeoutMs = spec.InitTimeoutMs,
        Environment = new Dictionary<string, string>(spec.Environment, StringComparer.Ordinal),
        Version = spec.Version,
        InheritEnv = [.. spec.InheritEnv],
        Runtime = RuntimeOf(spec.Runtime),
        Image = spec.Image.Length == 0 ? null : spec.Image,
        Network = spec.Network switch
        {
            "" or "host" => NetworkMode.Host,
            "isolated" => NetworkMode.Isolated,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"network '{spec.Network}' is not host or isolated.")),
        },
        User = spec.User.Length == 0 ? null : spec.User,
        Cpus = spec.Cpus > 0 ? spec.Cpus : null,
        MaxProcesses = spec.Pids > 0 ? spec.Pids : null,
        FreezeWhenIdle = spec.Idle switch
        {
            "" or "stop" => false,
            "freeze" => true,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"idle '{spec.Idle}' is not stop or freeze.")),
        },
    };

    private static RuntimeKind RuntimeOf(string name) =>
        name.Length == 0 ? RuntimeKind.Process
        : RuntimeNames.TryParse(name, out var kind) ? kind
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"runtime '{name}' is not one of {string.Join(", ", RuntimeNames.All)}."));

    /// <summary>The wire's form of an instance.</summary>
    internal static Container ToContainer(InstanceInfo instance)
    {
        var container = new Container
        {
            Id = instance.Id,
            Function = instance.Function,
            Owner = instance.Owner,
            InvokeUrl = instance.InvokeUrl,
            Pid = instance.Pid,
            StartedAtUnixMs = instance.StartedAtUnixMs,
            Cgroup = instance.Cgroup,
            MemoryLimitBytes = instance.MemoryLimitBytes,
            Runtime = instance.Runtime,
            User = instance.User,
            CpuLimit = instance.CpuLimit,
            PidsLimit = instance.PidsLimit,
            OomKills = instance.OomKills,
            OomKilled = instance.OomKilled,
            Usage = instance.Usage is { } usage
                ? new ContainerUsage { CpuSeconds = usage.Cpu.TotalSeconds, MemoryBytes = usage.MemoryBytes, Pids = usage.Processes }
                : null,
            State = instance.State switch
            {
                InstanceState.Starting => ContainerState.Starting,
                InstanceState.Running => ContainerState.Running,
                InstanceState.Paused => ContainerState.Paused,
                InstanceState.Exited => ContainerState.Exited,
                InstanceState.Orphaned => ContainerState.Orphaned,
                _ => ContainerState.Unspecified,
            },
        };
        if (instance.State == InstanceState.Exited)
        {
            container.ExitCode = instance.ExitCode;
        }

        return container;
    }

    private static RpcException NotFound(string id) => new(new Status(StatusCode.NotFound, $"No instance '{id}'."));
}
