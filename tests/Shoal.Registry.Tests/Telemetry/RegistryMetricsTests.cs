using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Registry.Stores;
using Shoal.Registry.Telemetry;
using Shoal.Testing.Telemetry;

namespace Shoal.Registry.Tests.Telemetry;

/// <summary>The registry's instruments over a real SQLite store.</summary>
public sealed class RegistryMetricsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-reg-metrics-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly RegistryMetrics _metrics;
    private readonly MeterRecorder _recorded;
    private int _instances;

    public RegistryMetricsTests()
    {
        _metrics = new RegistryMetrics(() => _instances, _time);
        _recorded = new MeterRecorder(_metrics.Meter);
    }

    public void Dispose()
    {
        _recorded.Dispose();
        _metrics.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Store_EachOperationTimedByName_WatchesCountedWhileOpen()
    {
        await using var store = _metrics.Measure(new SqliteRegistryStore(Path.Combine(_directory, "registry.db"), _time));
        await store.OpenAsync(CancellationToken.None);
        await store.PutAsync(new Registration(new ServiceInstance { Service = "web", Id = "web-1", Port = 5000 }), CancellationToken.None);
        await store.PutAsync(new Registration(new ServiceInstance { Service = "web", Id = "web-2", Port = 5001 }), CancellationToken.None);
        await store.HeartbeatAsync("web", "web-1", CancellationToken.None);
        await store.DeleteAsync("web", "web-2", CancellationToken.None);
        await store.ReadAsync(CancellationToken.None);

        Assert.Equal(1, _recorded.Count("shoal.registry.store.duration", ("operation", "open")));
        Assert.Equal(2, _recorded.Count("shoal.registry.store.duration", ("operation", "put")));
        Assert.Equal(1, _recorded.Count("shoal.registry.store.duration", ("operation", "heartbeat")));
        Assert.Equal(1, _recorded.Count("shoal.registry.store.duration", ("operation", "delete")));
        Assert.Equal(1, _recorded.Count("shoal.registry.store.duration", ("operation", "read")));
        Assert.Equal(0, _recorded.Observe("shoal.registry.watchers"));

        using var stop = new CancellationTokenSource();
        var watch = store.WatchAsync(0, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(1, _recorded.Observe("shoal.registry.watchers"));
        await stop.CancelAsync();
        await watch.DisposeAsync();
        Assert.Equal(0, _recorded.Observe("shoal.registry.watchers"));
    }

    [Fact]
    public void Instances_AreTheCatalogsCountWhenObserved()
    {
        _instances = 7;
        Assert.Equal(7, _recorded.Observe("shoal.registry.instances"));
        _instances = 3;
        Assert.Equal(3, _recorded.Observe("shoal.registry.instances"));
    }
}
