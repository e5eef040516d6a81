using Microsoft.Extensions.Time.Testing;
using Shoal.Gateway.RateLimiting;

namespace Shoal.Gateway.Tests.RateLimiting;

public sealed class LocalRateLimitStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private LocalRateLimitStore Store(RateLimitAlgorithm algorithm, long limit, TimeSpan window, long? burst = null, int maxKeys = LocalRateLimitStore.DefaultMaxKeys) =>
        new(new RateLimitSettings { Algorithm = algorithm, Limit = limit, Window = window, Burst = burst }, _time, maxKeys);

    [Fact]
    public void FixedWindow_OpensWithTheFirstRequest_AdmitsTheLimit_ThenResetsAWindowLater()
    {
        var store = Store(RateLimitAlgorithm.FixedWindow, 3, TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal([2, 1, 0], Enumerable.Range(0, 3).Select(_ => store.Acquire("k")).Select(d => Assert.IsType<RateLimitDecision>(d) is { Admitted: true } ok ? ok.Remaining : -1));
        _time.Advance(TimeSpan.FromSeconds(20));
        var refused = store.Acquire("k");
        Assert.Equal(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(40)), refused);
        Assert.True(store.Acquire("other").Admitted);

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(new RateLimitDecision(true, 2, TimeSpan.FromMinutes(1), TimeSpan.Zero), store.Acquire("k"));
    }

    [Fact]
    public void SlidingWindow_CountsThePreviousWindowByItsOverlap()
    {
        var store = Store(RateLimitAlgorithm.SlidingWindow, 10, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(store.Acquire("k").Admitted);
        }

        Assert.False(store.Acquire("k").Admitted);

        // 2.5 s into the next window the previous one still weighs 75 %: 7.5 of 10 used, two more fit.
        _time.Advance(TimeSpan.FromSeconds(12.5));
        Assert.Equal(new RateLimitDecision(true, 1, TimeSpan.FromSeconds(7.5), TimeSpan.Zero), store.Acquire("k"));
        Assert.Equal(new RateLimitDecision(true, 0, TimeSpan.FromSeconds(7.5), TimeSpan.Zero), store.Acquire("k"));

        // 9.5 of 10 now: the next fits once the previous window weighs 70 %, 3 s into this one.
        var refused = store.Acquire("k");
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(0.5), refused.RetryAfter);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(store.Acquire("k").Admitted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _time.Advance(refused.RetryAfter);
        Assert.True(store.Acquire("k").Admitted);
    }

    [Fact]
    public void TokenBucket_AdmitsTheBurst_ThenRefillsAtLimitPerWindow()
    {
        var store = Store(RateLimitAlgorithm.TokenBucket, 60, TimeSpan.FromMinutes(1), burst: 5);
        for (var i = 4; i >= 0; i--)
        {
            Assert.Equal(i, store.Acquire("k").Remaining);
        }

        var refused = store.Acquire("k");
        Assert.Equal(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), refused);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(store.Acquire("k").Admitted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(store.Acquire("k").Admitted);

        // A long pause refills to the burst, not beyond.
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(4, store.Acquire("k").Remaining);
    }

    [Fact]
    public void Acquire_FloodOfDistinctKeys_KeepsAtMostMaxKeys()
    {
        var store = Store(RateLimitAlgorithm.FixedWindow, 5, TimeSpan.FromHours(1), maxKeys: 1000);
        for (var i = 0; i < 200_000; i++)
        {
            Assert.True(store.Acquire($"flood-{i}").Admitted);
            Assert.True(store.Count <= 1001, $"{store.Count} keys after {i + 1} distinct ones");
        }
    }

    [Fact]
    public void Acquire_PastMaxKeys_ForgetsKeysWhoseQuotaIsWholeFirst()
    {
        var store = Store(RateLimitAlgorithm.FixedWindow, 2, TimeSpan.FromMinutes(1), maxKeys: 10);
        store.Acquire("busy");
        store.Acquire("busy");
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 9; i++)
        {
            store.Acquire($"old-{i}");
        }

        // The old keys' windows end first: past the cap they go, and 'busy' (still over its quota) stays counted.
        _time.Advance(TimeSpan.FromSeconds(29));
        for (var i = 0; i < 5; i++)
        {
            store.Acquire($"new-{i}");
        }

        Assert.False(store.Acquire("busy").Admitted);
        Assert.True(store.Count <= 10);
    }
}
