using Shoal.Events;
using Shoal.Gateway.Model;

namespace Shoal.Gateway.Health;

/// <summary>The <c>instance.ejected</c> event of an instance taken out of rotation by passive health or stall detection.</summary>
internal static class EjectionEvent
{
    public static PlatformEvent Of(string service, DestinationState destination, string reason) => new()
    {
        Type = PlatformEventTypes.InstanceEjected,
        Service = service,
        Instance = destination.Id,
        Version = destination.Instance.Version,
        Message = reason,
    };
}
