using Grpc.Core;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Runtime;
using Shoal.Orchestration.Processes;

namespace Shoal.Functions.Agent;

/// <summary>The agent's gRPC service: instances on this host, started by the configured runtime.</summary>
internal sealed class AgentService(InstanceTable instances, IInstanceRuntime runtime, AgentIdentity identity, TimeProvider time) : Protocol.Agent.AgentBase
{
    public override async Task<Container> EnsureContainer(EnsureContainerRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Id) || request.Function is null || string.IsNullOrEmpty(request.Function.Name) || request.Function.Command.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id, function.name and function.command are required."));
        }

        if (!Directory.Exists(request.Function.CodeDirectory))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"code directory '{request.Function.CodeDirectory}' does not exist."));
        }

        try
        {
            return await instances.EnsureAsync(request.Id, request.Owner, request.Function, context.CancellationToken).ConfigureAwait(false);
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

    public override async Task<DestroyContainerResponse> DestroyContainer(DestroyContainerRequest request, ServerCallContext context)
    {
        var existed = await instances.DestroyAsync(request.Id, TimeSpan.FromMilliseconds(Math.Max(0, request.GraceMs))).ConfigureAwait(false);
        return new DestroyContainerResponse { Existed = existed };
    }

    public override Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context)
    {
        var response = new ListContainersResponse();
        response.Containers.AddRange(instances.List(request.Owner));
        return Task.FromResult(response);
    }

    public override Task<Container> PauseContainer(ContainerRef request, ServerCallContext context) =>
        Task.FromResult(instances.Pause(request.Id, pause: true) ?? throw NotFound(request.Id));

    public override Task<Container> ResumeContainer(ContainerRef request, ServerCallContext context) =>
        Task.FromResult(instances.Pause(request.Id, pause: false) ?? throw NotFound(request.Id));

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context) =>
        Task.FromResult(new HeartbeatResponse
        {
            AgentId = identity.Id,
            Runtime = runtime.Name,
            Containers = instances.Count,
            NowUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        });

    private static RpcException NotFound(string id) => new(new Status(StatusCode.NotFound, $"No instance '{id}'."));
}

/// <summary>Who this agent is: an id that changes with every start, so a client can tell a restarted agent.</summary>
internal sealed record AgentIdentity(string Id);
