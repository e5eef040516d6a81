namespace Shoal.Events;

/// <summary>
/// Where features announce what happened to the platform (an instance restarted, a deployment step passed, a
/// function cold-started). The daemon keeps the last events and streams them at <c>GET /v1/events</c>; anything
/// else (unit tests, the standalone agent) gets <see cref="PlatformEvents.None"/>.
/// </summary>
public interface IPlatformEvents
{
    /// <summary>Records <paramref name="platformEvent"/>; never blocks on readers and never throws.</summary>
    void Publish(PlatformEvent platformEvent);
}
