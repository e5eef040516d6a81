using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Registry.Stores;
using Shoal.Testing;

namespace Shoal.Registry.Tests;

/// <summary>The catalog's TTL sweep over the embedded store: when the store says a TTL runs out, not five times a second.</summary>
public sealed class RegistryCatalogSweepTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddYears(56));
    private readonly RegistryCatalog _catalog;

    public RegistryCatalogSweepTests()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("shoal-sweep-").FullName, "registry.db");
        _catalog = new RegistryCatalog(new SqliteRegistryStore(path, _time), "shop.host", _time, NullLogger.Instance);
    }

    public Task InitializeAsync() => _catalog.StartAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    private static Registration External(string id, TimeSpan? ttl) =>
        new(new ServiceInstance { Service = "api", Id = id, Port = 5000, Health = InstanceHealth.Passing, RegisteredAt = DateTimeOffset.UnixEpoch.AddDays(1) }, ttl, null);

    private bool Expired(string id) => _catalog.Entries[("api", id)].Expired;

    /// <summary>Moves fake time 100 ms at a time, letting the catalog's loops run between steps, until <paramref name="done"/>.</summary>
    private Task AdvanceUntilAsync(Func<bool> done, string what) => Poll.UntilAsync(() =>
    {
        _time.Advance(TimeSpan.FromMilliseconds(100));
        return done();
    }, s_wait, what);

    [Fact]
    public async Task Sweep_NothingDue_DoesNotRun_ThenAppliesTheTtlWhenItRunsOut()
    {
        await Poll.UntilAsync(() => _catalog.Sweeps >= 1, s_wait, "the first sweep, at start");
        await _catalog.PutAsync(External("ext-1", TimeSpan.FromSeconds(5)), CancellationToken.None);
        var put = _time.GetUtcNow();

        await AdvanceUntilAsync(() => Expired("ext-1"), "ext-1's TTL to run out");

        var elapsed = _time.GetUtcNow() - put;
        Assert.InRange(elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.5));

        // At start and when the TTL ran out: a 200 ms sweep would have run 25 times, and one woken by the registration 3.
        Assert.Equal(2, _catalog.Sweeps);
    }

    [Fact]
    public async Task Sweep_Registrations_DoNotWakeIt_OnlyTheTtlRunningOutDoes()
    {
        await Poll.UntilAsync(() => _catalog.Sweeps >= 1, s_wait, "the first sweep, at start");
        var before = _catalog.Sweeps;
        for (var i = 0; i < 3; i++)
        {
            // Past the least time between two sweeps each time: nothing but the wake itself holds a sweep back.
            await _catalog.PutAsync(External($"plain-{i}", ttl: null), CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(300));
        }

        await _catalog.PutAsync(External("ext-1", TimeSpan.FromSeconds(5)), CancellationToken.None);
        await AdvanceUntilAsync(() => Expired("ext-1"), "ext-1's TTL to run out");

        // One sweep, when the TTL ran out: the catalog knows when that is from the registration itself, and none of the
        // four writes is a reason to sweep before then.
        Assert.Equal(before + 1, _catalog.Sweeps);
    }

    [Fact]
    public async Task Sweep_AHeartbeatThatEndsAnExpiry_IsSweptAgainWhenItsTtlRunsOut_NotBefore()
    {
        await Poll.UntilAsync(() => _catalog.Sweeps >= 1, s_wait, "the first sweep, at start");
        await _catalog.PutAsync(External("ext-1", TimeSpan.FromSeconds(2)), CancellationToken.None);
        await AdvanceUntilAsync(() => Expired("ext-1"), "ext-1's TTL to run out");
        var before = _catalog.Sweeps;

        Assert.True(await _catalog.HeartbeatAsync("api", "ext-1", CancellationToken.None) > 0);
        var beat = _time.GetUtcNow();
        Assert.False(Expired("ext-1"));
        await AdvanceUntilAsync(() => Expired("ext-1"), "ext-1's TTL to run out again");

        Assert.InRange(_time.GetUtcNow() - beat, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.Equal(before + 1, _catalog.Sweeps);
    }

    [Fact]
    public async Task Sweep_ATtlTooLongForTheClock_StopsNeitherTheCatalogNorTheSweep()
    {
        // The API refuses TTLs over a day; a store written some other way can still hold one that no clock can add.
        using var timeout = new CancellationTokenSource(s_wait);
        await _catalog.PutAsync(External("ext-forever", TimeSpan.MaxValue), timeout.Token);
        await _catalog.PutAsync(External("ext-1", TimeSpan.FromSeconds(1)), timeout.Token);

        await AdvanceUntilAsync(() => Expired("ext-1"), "ext-1's TTL to run out");
        Assert.False(Expired("ext-forever"));
    }

    [Fact]
    public async Task Sweep_AfterARegistrationWithAShorterTtl_RunsWhenThatOneRunsOut()
    {
        await Poll.UntilAsync(() => _catalog.Sweeps >= 1, s_wait, "the first sweep, at start");
        await _catalog.PutAsync(External("ext-long", TimeSpan.FromSeconds(60)), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));

        await _catalog.PutAsync(External("ext-short", TimeSpan.FromSeconds(2)), CancellationToken.None);
        var put = _time.GetUtcNow();
        await AdvanceUntilAsync(() => Expired("ext-short"), "ext-short's TTL to run out");

        Assert.InRange(_time.GetUtcNow() - put, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.False(Expired("ext-long"));
    }
}
