namespace Shoal.Functions.Configuration;

/// <summary>How many instances a function may run at once, and how excess invocations wait.</summary>
public sealed record ConcurrencySettings
{
    /// <summary>At most this many instances, hence invocations in flight (Lambda's reserved concurrency).</summary>
    public int Max { get; init; } = 10;

    /// <summary>Instances started ahead and kept warm (Lambda's provisioned concurrency).</summary>
    public int MinWarm { get; init; }

    /// <summary>Invocations that may wait for a busy instance; more are refused at once with 429.</summary>
    public int QueueDepth { get; init; } = 100;

    /// <summary>How long an invocation waits for an instance before it is refused with 429.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
