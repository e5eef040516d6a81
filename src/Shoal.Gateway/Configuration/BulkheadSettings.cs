namespace Shoal.Gateway.Configuration;

/// <summary>Bulkheads: limits on requests in flight, with a bounded queue; beyond it a fast 503 with Retry-After.</summary>
public sealed record BulkheadSettings
{
    /// <summary>Requests in flight to the whole service; 0 for no limit.</summary>
    public int MaxConcurrent { get; init; }

    /// <summary>Requests in flight to one instance; 0 for no limit.</summary>
    public int MaxConcurrentPerInstance { get; init; }

    /// <summary>Requests that may wait for a slot when the service limit is reached.</summary>
    public int QueueSize { get; init; }

    /// <summary>How long a queued request waits before it gets a 503.</summary>
    /// <value>Defaults to 1 s.</value>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
