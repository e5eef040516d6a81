namespace Shoal.Events;

/// <summary>
/// One thing that happened to the platform, as <c>GET /v1/events</c> sends it (snake_case JSON). Subjects that do not
/// apply stay null and are left out.
/// </summary>
public sealed record PlatformEvent
{
    /// <summary>What happened: one of <see cref="PlatformEventTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>When; the stream stamps the publishing time when left at its default.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The service it concerns.</summary>
    public string? Service { get; init; }

    /// <summary>The instance (the catalog's id for a replica, the agent's for a function instance).</summary>
    public string? Instance { get; init; }

    /// <summary>The function it concerns.</summary>
    public string? Function { get; init; }

    /// <summary>The version of the service or the deployment.</summary>
    public string? Version { get; init; }

    /// <summary>A sentence for people: the exit code, the probe's answer, the verdict's reason.</summary>
    public string? Message { get; init; }

    /// <summary>Type-specific facts (exit code, replicas, step weight), snake_case keys.</summary>
    public IReadOnlyDictionary<string, object>? Details { get; init; }
}
