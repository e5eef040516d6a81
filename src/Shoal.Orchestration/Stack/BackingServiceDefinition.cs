namespace Shoal.Orchestration.Stack;

/// <summary>A service's <c>postgres:</c> or <c>redis:</c>: Shoal runs the server itself, with its data in <c>.shoal/volumes/VOLUME</c>.</summary>
public sealed record BackingServiceDefinition
{
    /// <summary>The server to run.</summary>
    public required BackingKind Kind { get; init; }

    /// <summary>The named volume that holds the data (<c>.shoal/volumes/VOLUME</c>); <value>default: the service name</value>.</summary>
    public required string Volume { get; init; }

    /// <summary>The fixed port, or null for a free one chosen once and kept in the volume.</summary>
    public int? Port { get; init; }

    /// <summary>PostgreSQL: a database and a role of its own for each dependant (<c>databases: per_dependant</c>).</summary>
    public bool PerDependant { get; init; }

    /// <summary>PostgreSQL: the databases to create (<c>databases: [a, b]</c>); dependants connect to the first.</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];

    /// <summary>Server settings passed through: <c>-c key=value</c> for PostgreSQL, <c>--key value</c> for Redis.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>PostgreSQL: the superuser's name; <value>default: postgres</value>.</summary>
    public string User { get; init; } = "postgres";

    /// <summary>
    /// PostgreSQL: the superuser's password, or null for one generated on first start and kept in the volume. Redis: null
    /// as written; the password generated on first start once the service is prepared (what the gateway connects with).
    /// </summary>
    public string? Password { get; init; }

    /// <summary>Where the template was written, for errors found as the stack starts (a missing binary).</summary>
    public FieldLocation At { get; init; } = FieldLocation.None;

    /// <summary>The template's key: <c>postgres</c> or <c>redis</c>.</summary>
    public string Key => Kind == BackingKind.Postgres ? "postgres" : "redis";
}
