namespace Shoal.Gateway.Configuration;

/// <summary>The names of the built-in load-balancing strategies.</summary>
public static class Strategies
{
    /// <summary>Each instance in turn (the default).</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>A uniformly random instance.</summary>
    public const string Random = "random";

    /// <summary>The instance with the fewest requests in flight.</summary>
    public const string LeastRequests = "least-requests";

    /// <summary>The less busy of two random instances.</summary>
    public const string PowerOfTwo = "power-of-two";

    /// <summary>Smooth weighted round robin on instance weights.</summary>
    public const string Weighted = "weighted";

    /// <summary>A hash of the client address, on a consistent-hash ring.</summary>
    public const string IpHash = "ip-hash";

    /// <summary>Sticky sessions keyed by a header or a gateway cookie.</summary>
    public const string Session = "session";

    /// <summary>A ketama ring keyed by a header, cookie, query parameter, the path or the client address.</summary>
    public const string ConsistentHash = "consistent-hash";

    /// <summary>Every built-in name.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } = [RoundRobin, Random, LeastRequests, PowerOfTwo, Weighted, IpHash, Session, ConsistentHash];

    /// <summary>Checks a consistent-hash key source: <c>header:NAME</c>, <c>cookie:NAME</c>, <c>query:NAME</c>, <c>path</c> or <c>ip</c>.</summary>
    public static bool IsValidHashKey(string? key) => key switch
    {
        "path" or "ip" => true,
        null => false,
        _ => (key.StartsWith("header:", StringComparison.Ordinal) || key.StartsWith("cookie:", StringComparison.Ordinal) || key.StartsWith("query:", StringComparison.Ordinal))
            && key.IndexOf(':', StringComparison.Ordinal) < key.Length - 1,
    };
}
