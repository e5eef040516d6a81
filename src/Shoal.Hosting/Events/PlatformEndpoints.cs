using Microsoft.AspNetCore.Routing;
using Shoal.Hosting.Logs;

namespace Shoal.Hosting.Events;

/// <summary>The admin listener's streaming endpoints, mapped with one call.</summary>
internal static class PlatformEndpoints
{
    /// <summary>Maps <c>/v1/events</c> and <c>/v1/logs</c> when the daemon has <paramref name="streams"/> (the standalone admin of tests may not).</summary>
    public static IEndpointRouteBuilder MapPlatformEndpoints(this IEndpointRouteBuilder endpoints, PlatformStreams? streams)
    {
        if (streams is not null)
        {
            endpoints.MapEventEndpoints(streams.Events, TimeProvider.System);
            endpoints.MapLogEndpoints(streams.StateDirectory, streams.StackName, TimeProvider.System);
        }

        return endpoints;
    }
}
