using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.Resilience;

namespace Shoal.Gateway.Tests.Resilience;

public sealed class RetryBudgetTests
{
    [Fact]
    public void TryRetry_AllowsTheShareOfRecentRequestsPlusTheFloor()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(time);
        for (var i = 0; i < 100; i++)
        {
            budget.OnRequest();
        }

        // 20 % of 100 requests plus 1 per second over the 10 s window.
        var allowed = Enumerable.Range(0, 100).Count(_ => budget.TryRetry(0.2, 1));

        Assert.Equal(30, allowed);
    }

    [Fact]
    public void TryRetry_OldRequestsNoLongerFundRetries()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(time);
        for (var i = 0; i < 1000; i++)
        {
            budget.OnRequest();
        }

        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(0, Enumerable.Range(0, 10).Count(_ => budget.TryRetry(0.2, 0)));
    }
}
