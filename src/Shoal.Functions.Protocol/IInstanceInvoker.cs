namespace Shoal.Functions.Agent.Protocol;

/// <summary>Sends one invocation to an instance.</summary>
public interface IInstanceInvoker
{
    /// <summary>Invokes; failures to reach the instance come back as a <see cref="InvokeResultKind.Crash"/> with the instance gone.</summary>
    /// <param name="instanceId">The instance, as the agent named it.</param>
    /// <param name="invokeUrl">Its endpoint, as the agent reported it.</param>
    /// <param name="requestId">The invocation's request id.</param>
    /// <param name="payload">The event.</param>
    /// <param name="limit">How long to wait at most; past it the result is a timeout with the instance gone.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken);
}
