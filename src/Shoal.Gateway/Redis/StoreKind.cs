namespace Shoal.Gateway.Redis;

/// <summary>Where rate-limit counters or the session table live (<c>rate_limit.store</c>, <c>load_balancing.store</c>).</summary>
public enum StoreKind
{
    /// <summary><c>local</c>: in this gateway's memory; each gateway keeps its own.</summary>
    Local,

    /// <summary><c>redis</c>: in a Redis every gateway of the service shares.</summary>
    Redis,
}
