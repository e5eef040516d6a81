using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Shoal.Delivery;
using Shoal.Gateway;
using Shoal.Gateway.Admin;
using Shoal.Hosting.Delivery;
using Shoal.Hosting.Telemetry;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Lifecycle;
using Shoal.Processes;
using Shoal.Registry;
using Shoal.Registry.Stores;

namespace Shoal.Hosting;

/// <summary>
/// One stack's features put together, each handed what it needs as a typed handle: the registry catalog, the
/// functions, the gateway (and its <see cref="GatewayControl"/>), the supervisor, the deployments and the admin
/// listener over all of them. Built, not started: <see cref="StackDaemon"/> starts and stops them in order.
/// </summary>
internal sealed partial class StackComposition : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private HealthProbe? _probe;

    private StackComposition(RegistryCatalog catalog) => Catalog = catalog;

    public RegistryCatalog Catalog { get; }

    public StackFunctions? Functions { get; private set; }

    public WebApplication Gateway { get; private set; } = null!;

    public GatewayControl GatewayControl { get; private set; } = null!;

    public StackSupervisor Supervisor { get; private set; } = null!;

    public DeploymentController Deployments { get; private set; } = null!;

    public WebApplication Admin { get; private set; } = null!;

    /// <summary>The admin socket's path, or null when the state directory's path is too long for one.</summary>
    public string? Socket { get; private set; }

    /// <summary>
    /// Composes <paramref name="prepared"/>; null (the reason logged and printed) when the registry cannot be opened.
    /// <paramref name="shutdown"/> is what <c>POST /v1/stack/shutdown</c> calls.
    /// </summary>
    public static async Task<StackComposition?> ComposeAsync(PreparedStack prepared, ProcessScope replicaScope, ILoggerFactory loggers, Action shutdown)
    {
        var stack = prepared.Loaded.Stack;
        var logger = loggers.CreateLogger("Shoal");
        var registryLog = loggers.CreateLogger("Shoal.Registry");
        var catalog = new RegistryCatalog(RegistryStores.Create(stack.RegistryStore, TimeProvider.System, registryLog), RegistryCatalog.OwnerFor(stack.Name, Environment.MachineName), TimeProvider.System, registryLog);
        var composition = new StackComposition(catalog);
        try
        {
            try
            {
                using var opening = new CancellationTokenSource(TimeSpan.FromSeconds(30), TimeProvider.System);
                await catalog.StartAsync(opening.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.RegistryUnavailable(logger, catalog.Store.Description, ex.Message);
                Console.Error.WriteLine($"error: the registry {catalog.Store.Description} cannot be opened: {ex.Message}");
                await composition.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            await composition.ComposeFeaturesAsync(prepared, replicaScope, loggers, logger, shutdown).ConfigureAwait(false);
            return composition;
        }
        catch
        {
            await composition.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ComposeFeaturesAsync(PreparedStack prepared, ProcessScope replicaScope, ILoggerFactory loggers, ILogger logger, Action shutdown)
    {
        var stack = prepared.Loaded.Stack;
        if (DaemonTracing.Start(stack.Telemetry.Traces) is { } tracing)
        {
            // Added first, disposed last: spans of the final requests are flushed once everything else has stopped.
            _owned.Add(tracing);
        }

        var (gatewayLimits, adminLimits) = DaemonLimits.Apply(stack, logger);
        var options = DaemonSettings.GatewayOptionsFor(stack);
        options.Limits = gatewayLimits;
        options.Events = Events;
        Functions = await StackFunctions.OpenAsync(stack, prepared.Loaded.Functions, loggers, DaemonLogging.Configure, Events).ConfigureAwait(false);
        if (Functions is not null)
        {
            _owned.Add(Functions);
        }

        _probe = new HealthProbe();
        Gateway = GatewayServer.Build(options, Catalog, prepared.Plugins, DaemonLogging.Configure, Functions?.Front);
        _owned.Add(Gateway);
        GatewayControl = GatewayControl.Of(Gateway);

        var (supervised, supervisedCommands) = DeploymentResume.WithPromotedVersions(stack, prepared.Commands, await DeliveryComposition.LoadAsync(Catalog.Store, CancellationToken.None).ConfigureAwait(false));
        supervised = supervised with { GatewayListen = stack.Gateway.Listen };
        Supervisor = new StackSupervisor(supervised, supervisedCommands, DaemonRuntimes.Create(TimeProvider.System, replicaScope, Path.Combine(stack.StateDirectory, "runtimes")), Catalog, _probe, GatewayControl.Drainer, TimeProvider.System, loggers, Catalog.OwnedIdSuffix);
        Deployments = DeliveryComposition.Create(Supervisor, GatewayControl.Find, Catalog.Store, TimeProvider.System, loggers.CreateLogger("Shoal.Deployments"));
        _owned.Add(Deployments);
        PublishEvents(stack.StateDirectory, stack.Name, logger);

        Socket = AdminSocket.PathIn(stack.StateDirectory);
        if (!AdminSocket.Fits(Socket))
        {
            Log.SocketPathTooLong(logger, Socket);
            Socket = null;
        }

        Admin = AdminServer.Build(stack.Gateway.Admin, Socket, DaemonSettings.AdminAccess(stack), adminLimits, new AdminFeatures(Catalog, Supervisor, GatewayControl, Deployments, Functions?.Host, stack.Gateway.Metrics, Streams), shutdown);
        _owned.Add(Admin);
    }

    /// <summary>Disposes what was built, the last built first (the admin listener before what it serves, the catalog last).</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }

        _owned.Clear();
        _probe?.Dispose();
        await Catalog.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(9004, LogLevel.Error, "The registry {Store} cannot be opened: {Reason}")]
        public static partial void RegistryUnavailable(ILogger logger, string store, string reason);

        [LoggerMessage(9005, LogLevel.Warning, "No admin socket: the path {Path} is too long for a Unix socket; the CLI uses TCP with the token")]
        public static partial void SocketPathTooLong(ILogger logger, string path);
    }
}
