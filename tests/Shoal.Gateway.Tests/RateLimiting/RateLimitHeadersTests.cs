using Shoal.Gateway.RateLimiting;

namespace Shoal.Gateway.Tests.RateLimiting;

public sealed class RateLimitHeadersTests
{
    [Fact]
    public void PolicyOf_IsAQuotedNameWithQuotaAndWindowInSeconds()
    {
        Assert.Equal("\"app\";q=100;w=60", RateLimitHeaders.PolicyOf("app", new RateLimitSettings { Limit = 100, Window = TimeSpan.FromMinutes(1) }));
        Assert.Equal("\"app /api/**\";q=5;w=2", RateLimitHeaders.PolicyOf("app /api/**", new RateLimitSettings { Limit = 5, Window = TimeSpan.FromMilliseconds(1500) }));
    }

    [Fact]
    public void RateLimitOf_RoundsSecondsUp()
    {
        Assert.Equal("\"app\";r=7;t=2", RateLimitHeaders.RateLimitOf("\"app\"", new RateLimitDecision(true, 7, TimeSpan.FromMilliseconds(1001), TimeSpan.Zero)));
        Assert.Equal("\"app\";r=0;t=0", RateLimitHeaders.RateLimitOf("\"app\"", new RateLimitDecision(true, 0, TimeSpan.Zero, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(59_500, 60)]
    public void RetryAfterSeconds_IsWholeSecondsRoundedUp_AtLeastOne(int milliseconds, long expected)
    {
        Assert.Equal(expected, RateLimitHeaders.RetryAfterSeconds(new RateLimitDecision(false, 0, TimeSpan.Zero, TimeSpan.FromMilliseconds(milliseconds))));
    }

    [Fact]
    public void Quote_EscapesQuotesAndBackslashes_AndDropsWhatAStructuredStringCannotHold()
    {
        Assert.Equal("\"a\\\"b\\\\c\"", RateLimitHeaders.Quote("a\"b\\c"));
        Assert.Equal("\"ab\"", RateLimitHeaders.Quote("a\u00e9\nb"));
    }
}
