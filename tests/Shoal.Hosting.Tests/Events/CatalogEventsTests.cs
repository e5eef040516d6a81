using Shoal.Catalog;
using Shoal.Events;
using Shoal.Hosting.Events;
using Shoal.Registry;

namespace Shoal.Hosting.Tests.Events;

public sealed class CatalogEventsTests
{
    [Fact]
    public async Task Announce_RegisterExpireDeregister_OneEventEach()
    {
        var published = new List<PlatformEvent>();
        await using var events = CatalogEvents.Create(new Recorder(published));
        var registration = new Registration(new ServiceInstance { Service = "api", Id = "api-1", Port = 5000, Version = "2" }, Ttl: TimeSpan.FromSeconds(10));

        events.Announce(new RegistryEvent(1, RegistryEventKind.Registered, new RegistryEntry(registration, Expired: false)));
        events.Announce(new RegistryEvent(2, RegistryEventKind.Health, new RegistryEntry(registration, Expired: true)));
        events.Announce(new RegistryEvent(3, RegistryEventKind.Health, new RegistryEntry(registration, Expired: true)));
        events.Announce(new RegistryEvent(4, RegistryEventKind.Deregistered, new RegistryEntry(registration, Expired: true)));

        Assert.Equal([PlatformEventTypes.RegistryRegistered, PlatformEventTypes.RegistryExpired, PlatformEventTypes.RegistryDeregistered], published.Select(e => e.Type));
        Assert.All(published, e => Assert.Equal(("api", "api-1", "2"), (e.Service, e.Instance, e.Version)));
        Assert.Equal("removed after its TTL ran out", published[2].Message);
        Assert.Equal(4L, published[2].Details!["index"]);
    }

    private sealed class Recorder(List<PlatformEvent> published) : IPlatformEvents
    {
        public void Publish(PlatformEvent platformEvent) => published.Add(platformEvent);
    }
}
