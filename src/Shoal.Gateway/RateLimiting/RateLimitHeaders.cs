using System.Globalization;
using System.Text;

namespace Shoal.Gateway.RateLimiting;

/// <summary>
/// The response fields of draft-ietf-httpapi-ratelimit-headers-09 (structured fields): <c>RateLimit-Policy:
/// "NAME";q=LIMIT;w=SECONDS</c> and <c>RateLimit: "NAME";r=REMAINING;t=SECONDS</c>, plus <c>Retry-After</c> (RFC 9110)
/// on a refusal. Seconds round up, so a client that waits them is never early.
/// </summary>
internal static class RateLimitHeaders
{
    public const string Policy = "RateLimit-Policy";
    public const string RateLimit = "RateLimit";

    /// <summary>The <c>RateLimit-Policy</c> value of a limit (built once).</summary>
    public static string PolicyOf(string name, RateLimitSettings settings) =>
        string.Create(CultureInfo.InvariantCulture, $"{Quote(name)};q={settings.Limit};w={Seconds(settings.Window)}");

    /// <summary>The <c>RateLimit</c> value after a decision.</summary>
    public static string RateLimitOf(string quotedName, RateLimitDecision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"{quotedName};r={decision.Remaining};t={Seconds(decision.Reset)}");

    /// <summary>Whole seconds, rounded up, at least 1 for a refusal's <c>Retry-After</c>.</summary>
    public static long RetryAfterSeconds(RateLimitDecision decision) => Math.Max(1, Seconds(decision.RetryAfter));

    /// <summary>A structured-field String: in quotes, with <c>\</c> and <c>"</c> escaped and anything outside printable ASCII dropped.</summary>
    public static string Quote(string name)
    {
        var quoted = new StringBuilder(name.Length + 2).Append('"');
        foreach (var c in name)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('"').ToString();
    }

    private static long Seconds(TimeSpan span) => span <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(span.TotalSeconds);
}
