namespace Shoal.FunctionalTests;

/// <summary>The event and log tests share one stack (<see cref="EventsStack"/>) to keep the suite lean.</summary>
[CollectionDefinition(Name)]
public sealed class EventsCollection : ICollectionFixture<EventsStack>
{
    public const string Name = "events";
}
