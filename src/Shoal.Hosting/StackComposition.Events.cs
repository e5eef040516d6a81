using Microsoft.Extensions.Logging;
using Shoal.Hosting.Events;

namespace Shoal.Hosting;

/// <summary>The platform's event stream: one bus per daemon, fed by the features' publishers.</summary>
internal sealed partial class StackComposition
{
    /// <summary>The event stream and the log files the admin listener serves.</summary>
    public PlatformStreams? Streams { get; private set; }

    /// <summary>The daemon's event bus; the features publish to it, <c>GET /v1/events</c> reads it.</summary>
    public PlatformEventBus Events { get; } = new(TimeProvider.System);

    private void PublishEvents(string stateDirectory, string stackName, ILogger logger)
    {
        Streams = new PlatformStreams(Events, stateDirectory, stackName);
        Deployments.Events = Events;
        SupervisorEvents.Attach(Supervisor, Events, Catalog.OwnedIdSuffix);
        _owned.Add(CatalogEvents.Start(Catalog, Events, TimeProvider.System, logger));
    }
}
