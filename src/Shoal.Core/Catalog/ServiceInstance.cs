namespace Shoal.Catalog;

/// <summary>One instance of a service: where it listens and whether it may take traffic.</summary>
public sealed record ServiceInstance
{
    /// <summary>The service this instance belongs to.</summary>
    public required string Service { get; init; }

    /// <summary>The instance id, unique within its service (e.g. <c>app-1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The address the instance listens on.</summary>
    /// <value>Defaults to <c>127.0.0.1</c>.</value>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The port the instance listens on; 0 when it listens on none.</summary>
    public int Port { get; init; }

    /// <summary>The version of the service this instance runs.</summary>
    public string Version { get; init; } = "1";

    /// <summary>The relative weight for weighted load balancing.</summary>
    /// <value>Defaults to 1; 0 takes no weighted traffic.</value>
    public int Weight { get; init; } = 1;

    /// <summary>Free-form labels (e.g. <c>region</c>, <c>health.path</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>Whether the instance may take traffic.</summary>
    public InstanceHealth Health { get; init; } = InstanceHealth.Critical;

    /// <summary>A draining instance takes no new requests while its in-flight ones finish.</summary>
    public bool Draining { get; init; }

    /// <summary>The process id, when Shoal started the instance.</summary>
    public int? Pid { get; init; }

    /// <summary>When the instance was (re)registered; a restart gives a new value.</summary>
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>True when the instance may receive new requests.</summary>
    public bool IsRoutable => Health != InstanceHealth.Critical && !Draining && Port > 0;

    /// <summary>The metadata key under which an instance advertises its HTTP health path.</summary>
    public const string HealthPathKey = "health.path";

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
