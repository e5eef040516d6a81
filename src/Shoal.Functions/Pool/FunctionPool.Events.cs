using Shoal.Events;
using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Pool;

/// <summary>The pool's platform events: cold starts, throttles, timeouts and crashes.</summary>
public sealed partial class FunctionPool
{
    /// <summary>Where the pool announces them.</summary>
    public IPlatformEvents Events { get; init; } = PlatformEvents.None;

    private void Announce(PooledInstance instance, bool warm, InvokeResult result)
    {
        if (!warm)
        {
            var init = _time.GetUtcNow() - instance.StartedAt;
            Publish(PlatformEventTypes.FunctionColdStart, instance.Id, $"new instance for an invocation", ("instance_age_ms", Math.Round(init.TotalMilliseconds, 1)));
        }

        var type = result.Kind switch
        {
            InvokeResultKind.Timeout => PlatformEventTypes.FunctionTimeout,
            InvokeResultKind.Crash or InvokeResultKind.InitError => PlatformEventTypes.FunctionCrashed,
            _ => null,
        };
        if (type is not null)
        {
            Publish(type, instance.Id, result.ErrorMessage, ("error_type", result.ErrorType ?? result.Kind.ToString()));
        }
    }

    private void AnnounceThrottled() =>
        Publish(PlatformEventTypes.FunctionThrottled, null, $"at its concurrency limit ({Function.Concurrency.Max})", ("concurrency_max", Function.Concurrency.Max));

    private void Publish(string type, string? instance, string? message, (string Key, object Value) detail) =>
        Events.Publish(new PlatformEvent
        {
            Type = type,
            Function = Function.Name,
            Instance = instance,
            Message = message,
            Details = new Dictionary<string, object>(StringComparer.Ordinal) { [detail.Key] = detail.Value },
        });
}
