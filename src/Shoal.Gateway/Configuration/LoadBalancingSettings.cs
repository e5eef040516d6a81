namespace Shoal.Gateway.Configuration;

/// <summary>How the gateway picks an instance of one service (<c>load_balancing:</c> in <c>shoal.yml</c>).</summary>
public sealed record LoadBalancingSettings
{
    /// <summary>The default: round robin.</summary>
    public static LoadBalancingSettings Default { get; } = new();

    /// <summary>The strategy name: a built-in one or a plugin's.</summary>
    /// <value>Defaults to <c>round-robin</c>.</value>
    public string Strategy { get; init; } = "round-robin";

    /// <summary>For <c>session</c>: the header that carries the session key.</summary>
    /// <value>Defaults to <c>X-Session-Id</c>; ignored when <see cref="SessionCookie"/> is set.</value>
    public string SessionHeader { get; init; } = "X-Session-Id";

    /// <summary>For <c>session</c>: a cookie the gateway sets to pin a client, instead of a header.</summary>
    public string? SessionCookie { get; init; }

    /// <summary>For <c>session</c>: how long an unused session stays pinned.</summary>
    /// <value>Defaults to 30 minutes.</value>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>For <c>session</c>: where the table of pinned sessions lives; with Redis, every gateway that shares it pins a session to the same instance.</summary>
    /// <value>Defaults to <see cref="Redis.StoreKind.Local"/>.</value>
    public Redis.StoreKind SessionStore { get; init; } = Redis.StoreKind.Local;

    /// <summary>For <c>session</c> with <c>store: redis</c>: a stack service's name or <c>host:port</c>.</summary>
    public string? SessionRedis { get; init; }

    /// <summary>For <c>consistent-hash</c>: where the key comes from: <c>header:NAME</c>, <c>cookie:NAME</c>, <c>query:NAME</c>, <c>path</c> or <c>ip</c>.</summary>
    public string? HashKey { get; init; }

    /// <summary>For <c>consistent-hash</c>: no instance takes more than this many times the mean load (e.g. 1.25); null for none.</summary>
    public double? BoundedLoad { get; init; }

    /// <summary>For <c>consistent-hash</c> and <c>ip-hash</c>: ring points per unit of weight.</summary>
    /// <value>Defaults to 160, as ketama.</value>
    public int VirtualNodes { get; init; } = 160;

    /// <summary>Free-form settings for a plugin strategy.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
