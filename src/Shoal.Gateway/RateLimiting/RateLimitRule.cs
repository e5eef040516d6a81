namespace Shoal.Gateway.RateLimiting;

/// <summary>One limit ready for requests: its settings, what it counts by, where, and its policy header, built once.</summary>
internal sealed class RateLimitRule(string name, RateLimitSettings settings, RequestKey key, IRateLimitStore store)
{
    public string Name { get; } = name;

    public RateLimitSettings Settings { get; } = settings;

    public RequestKey Key { get; } = key;

    public IRateLimitStore Store { get; } = store;

    /// <summary>The <c>RateLimit-Policy</c> value.</summary>
    public string Policy { get; } = RateLimitHeaders.PolicyOf(name, settings);

    /// <summary>The policy's name as a structured-field String.</summary>
    public string QuotedName { get; } = RateLimitHeaders.Quote(name);
}
