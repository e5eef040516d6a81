namespace Shoal.Functions.Hosting;

/// <summary>Settings of the functions host that are not per function.</summary>
public sealed record FunctionsHostOptions
{
    /// <summary>How often the janitor sweeps.</summary>
    public TimeSpan JanitorInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Asynchronous invocations that may wait; more are refused with 429.</summary>
    public int EventQueueCapacity { get; init; } = 1000;

    /// <summary>Asynchronous invocations run at once.</summary>
    public int EventWorkers { get; init; } = 4;

    /// <summary>Where the pools announce cold starts, throttles, timeouts and crashes.</summary>
    public Shoal.Events.IPlatformEvents Events { get; init; } = Shoal.Events.PlatformEvents.None;

    /// <summary>Wait before the first retry of a failed asynchronous invocation (doubled for the second).</summary>
    public TimeSpan EventRetryBackoff { get; init; } = TimeSpan.FromSeconds(1);
}
