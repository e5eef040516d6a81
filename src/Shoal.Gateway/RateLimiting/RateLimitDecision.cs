namespace Shoal.Gateway.RateLimiting;

/// <summary>One request's answer from a limit: admitted or not, what is left, and when the quota is whole again.</summary>
/// <param name="Admitted">Whether the request may go on.</param>
/// <param name="Remaining">Requests still admitted now (the <c>r</c> of the <c>RateLimit</c> header).</param>
/// <param name="Reset">Until the quota is whole again (its <c>t</c>).</param>
/// <param name="RetryAfter">For a refused request: until one would be admitted (<c>Retry-After</c>).</param>
internal readonly record struct RateLimitDecision(bool Admitted, long Remaining, TimeSpan Reset, TimeSpan RetryAfter);
