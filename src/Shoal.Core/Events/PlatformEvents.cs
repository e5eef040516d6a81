namespace Shoal.Events;

/// <summary>The publisher for hosts without an event stream.</summary>
public static class PlatformEvents
{
    /// <summary>Drops every event.</summary>
    public static IPlatformEvents None { get; } = new NoEvents();

    private sealed class NoEvents : IPlatformEvents
    {
        public void Publish(PlatformEvent platformEvent)
        {
        }
    }
}
