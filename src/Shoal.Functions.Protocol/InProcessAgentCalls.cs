namespace Shoal.Functions.Agent.Protocol;

/// <summary>
/// The calls a gateway makes to an agent in its own process, made on the agent's service directly (the same checks,
/// errors as <see cref="Grpc.Core.RpcException"/> and results as over gRPC) without the HTTP/2 round trip over loopback:
/// a start sits on every cold start's path, a listing on every janitor pass, a destroy on every retired instance.
/// </summary>
/// <param name="Ensure">The agent's <c>EnsureContainer</c>.</param>
/// <param name="List">The agent's <c>ListContainers</c>.</param>
/// <param name="Destroy">The agent's <c>DestroyContainer</c>.</param>
public sealed record InProcessAgentCalls(
    Func<EnsureContainerRequest, CancellationToken, Task<Container>> Ensure,
    Func<ListContainersRequest, ListContainersResponse> List,
    Func<DestroyContainerRequest, Task<DestroyContainerResponse>> Destroy);
