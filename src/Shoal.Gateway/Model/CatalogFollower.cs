using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;

namespace Shoal.Gateway.Model;

/// <summary>Applies every catalog change to the gateway state as it happens.</summary>
internal sealed partial class CatalogFollower(IServiceCatalog catalog, GatewayState state, ILogger<CatalogFollower> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        state.Apply(catalog.Current);
        var index = catalog.Current.Index;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var snapshot = await catalog.WaitForChangeAsync(index, stoppingToken).ConfigureAwait(false);
                state.Apply(snapshot);
                index = snapshot.Index;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Keep following: a failed apply must not freeze routing at an old view.
                Log.ApplyFailed(logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Error, "Applying a catalog change failed")]
        public static partial void ApplyFailed(ILogger logger, Exception exception);
    }
}
