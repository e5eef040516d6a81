using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Shoal.Cli.Hosting.Delivery;
using Shoal.Delivery;
using Shoal.Files;
using Shoal.Functions.Hosting;
using Shoal.Gateway;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Hosting;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.State;
using Shoal.Processes;
using Shoal.Registry;
using Shoal.Registry.Stores;
using Shoal.Resilience;

namespace Shoal.Cli.Hosting;

/// <summary>Runs a stack in this process: gateway, admin API and supervisor, until a signal or the admin API says stop.</summary>
internal sealed partial class StackDaemon(StackDefinition stack, IReadOnlyDictionary<string, ResolvedCommand> commands, IReadOnlyList<ILoadBalancingPolicy> plugins)
{
    // A `down` or `ps` probing the lock holds it for an instant: ten more tries, 20 ms apart.
    private static readonly Polly.ResiliencePipeline<DaemonLock?> s_lockRetry =
        Retry.Create<DaemonLock?>(new RetrySchedule(10, TimeSpan.FromMilliseconds(20)), o => o.Result is null, TimeProvider.System);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _stopped = new();
    private readonly Lock _stateLock = new();
    private List<ProcessRecord> _written = [];

    public StackSupervisor? Supervisor { get; private set; }

    /// <summary>Completes when shutdown has been asked for.</summary>
    public CancellationToken Stopping => _shutdown.Token;

    /// <summary>Starts everything; then waits for the stop signal and stops everything in order.</summary>
    /// <param name="started">Called once the listeners are up and the services are starting; its token is cancelled once every replica has stopped.</param>
    public async Task<int> RunAsync(Func<StackSupervisor, CancellationToken, Task>? started)
    {
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        using var loggers = LoggerFactory.Create(ConfigureLogging);
        var logger = loggers.CreateLogger("Shoal");

        // One daemon per stack directory, held by the kernel until this process ends, however it ends.
        using var daemonLock = await AcquireLockAsync();
        if (daemonLock is null)
        {
            var holder = DaemonLock.FindHolder(stack.StateDirectory);
            Console.Error.WriteLine($"error: stack '{stack.Name}' is already running ({(holder?.Pid is { } pid ? $"pid {pid}" : "a process")} holds {DaemonLock.PathIn(stack.StateDirectory)}); 'shoal down' stops it.");
            return 1;
        }

        SecureStateDirectory(stack.StateDirectory);
        var replicaScope = ProcessScope.ForStateDirectory(stack.StateDirectory);
        StackCleanup.RemoveLeftovers(stack, replicaScope);
        KeepPreviousLogs(Path.Combine(stack.StateDirectory, "logs"));
        KeepPreviousLogs(Path.Combine(stack.StateDirectory, "agent", "logs"));
        await using var catalog = new RegistryCatalog(RegistryStores.Create(stack.RegistryStore, TimeProvider.System), RegistryCatalog.OwnerFor(stack.Name, Environment.MachineName), TimeProvider.System, loggers.CreateLogger("Shoal.Registry"));
        try
        {
            using var opening = new CancellationTokenSource(TimeSpan.FromSeconds(30), TimeProvider.System);
            await catalog.StartAsync(opening.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.RegistryUnavailable(logger, catalog.Store.Description, ex.Message);
            Console.Error.WriteLine($"error: the registry {catalog.Store.Description} cannot be opened: {ex.Message}");
            return 1;
        }

        var (gatewayLimits, adminLimits) = DaemonLimits.Apply(stack, logger);
        var options = GatewayOptionsFor(stack);
        options.Limits = gatewayLimits;
        await using var functions = await StackFunctions.OpenAsync(stack, loggers, ConfigureLogging);

        using var probe = new HealthProbe();
        await using var gateway = GatewayServer.Build(options, catalog, plugins, ConfigureLogging, functions?.Front);
        var (supervised, supervisedCommands) = WithPromotedVersions(await DeliveryComposition.LoadAsync(catalog.Store, CancellationToken.None));
        var supervisor = new StackSupervisor(supervised, supervisedCommands, new HostProcessRuntime(TimeProvider.System, replicaScope), catalog, probe, GatewayServer.Drainer(gateway), TimeProvider.System, loggers, catalog.OwnedIdSuffix);
        Supervisor = supervisor;
        await using var deployments = DeliveryComposition.Create(supervisor, service => GatewayServer.Cluster(gateway, service), catalog.Store, TimeProvider.System, loggers.CreateLogger("Shoal.Deployments"));
        string? socket = AdminSocket.PathIn(stack.StateDirectory);
        if (!AdminSocket.Fits(socket))
        {
            Log.SocketPathTooLong(logger, socket);
            socket = null;
        }

        await using var admin = AdminServer.Build(stack.Gateway.Admin, socket, AdminAccess(stack), adminLimits, catalog, supervisor, gateway, deployments, functions?.Host, () => _shutdown.Cancel());

        if (!await TryStartAsync(gateway, "gateway", stack.Gateway.Listen, logger) || !await TryStartAsync(admin, "admin API", stack.Gateway.Admin, logger))
        {
            await gateway.StopAsync(CancellationToken.None);
            AdminSocket.Remove(socket);
            File.Delete(AdminTokenFile.PathIn(stack.StateDirectory));
            return 1;
        }

        if (socket is not null)
        {
            AdminSocket.Protect(socket);
        }

        supervisor.Changed += WriteState;
        WriteState();
        supervisor.Start();
        functions?.Start();
        await deployments.RestoreAsync(CancellationToken.None);
        var ui = started is null ? Task.CompletedTask : started(supervisor, _stopped.Token);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_shutdown.Token.Register(() => stopRequested.TrySetResult()))
        {
            await stopRequested.Task;
        }

        Log.Stopping(logger, stack.Name);
        await deployments.DisposeAsync();
        await supervisor.StopAsync(CancellationToken.None);
        if (functions is not null)
        {
            await functions.DisposeAsync();
        }

        await _stopped.CancelAsync();
        await ui;
        await gateway.StopAsync(CancellationToken.None);
        await admin.StopAsync(CancellationToken.None);
        AdminSocket.Remove(socket);
        File.Delete(AdminTokenFile.PathIn(stack.StateDirectory));
        supervisor.Changed -= WriteState;
        StackState.Delete(stack.StateDirectory);
        Log.Stopped(logger, stack.Name);
        return 0;
    }

    /// <summary>Who may use the admin API: the configured token or a new one in <c>.shoal/admin.token</c>, the operator token, SigV4 on the Invoke API.</summary>
    private static AdminAccessOptions AdminAccess(StackDefinition stack)
    {
        var credentials = stack.Functions.InvokeCredentials;
        return new AdminAccessOptions
        {
            Token = AdminTokenFile.Establish(stack.StateDirectory, stack.Gateway.AdminToken),
            OperatorToken = stack.Gateway.OperatorToken,
            Authenticators = [InvokeAuthentication.Create(credentials?.AccessKeyId, credentials?.SecretAccessKey, TimeProvider.System)],
        };
    }

    /// <summary>The gateway's routes and per-service settings, from the stack file.</summary>
    internal static GatewayOptions GatewayOptionsFor(StackDefinition stack)
    {
        var options = new GatewayOptions { Listen = stack.Gateway.Listen };
        foreach (var proxy in stack.Gateway.TrustedProxies)
        {
            options.TrustedProxies.Add(proxy);
        }

        foreach (var service in stack.Services)
        {
            options.Services[service.Name] = new ServiceRoutingOptions { LoadBalancing = service.LoadBalancing, Resilience = service.Resilience };
            foreach (var route in service.Routes)
            {
                options.Routes.Add(new RouteDefinition(route, service.Name));
            }
        }

        return options;
    }

    /// <summary>
    /// The stack as the supervisor runs it: a service whose last deployment promoted a new version runs that version
    /// (its command and environment) — unless the stack file has moved on from the version the deployment replaced.
    /// </summary>
    private (StackDefinition Stack, IReadOnlyDictionary<string, ResolvedCommand> Commands) WithPromotedVersions(IReadOnlyList<StoredDeployment> deployments)
    {
        var services = stack.Services.ToList();
        var resolved = new Dictionary<string, ResolvedCommand>(commands, StringComparer.Ordinal);
        foreach (var d in deployments.Where(d => d.Phase == DeploymentPhase.Promoted))
        {
            var at = services.FindIndex(s => s.Name == d.Service && s.Version == d.Stable && !s.External);
            if (at >= 0)
            {
                services[at] = StackSupervisor.WithVersion(services[at], d.Request.Version, d.Request.Environment, services[at].Replicas);
                if (d.Request.Command is { } argv)
                {
                    resolved[d.Service] = new ResolvedCommand(argv, PassUrls: false);
                }
            }
        }

        return (stack with { Services = services }, resolved);
    }

    /// <summary>Moves the last run's logs to previous/ beside them, so <c>logs</c> shows this run only.</summary>
    private static void KeepPreviousLogs(string logDirectory)
    {
        if (!Directory.Exists(logDirectory))
        {
            return;
        }

        var previous = PrivateFiles.CreateDirectory(Path.Combine(logDirectory, "previous"));
        foreach (var old in Directory.GetFiles(previous))
        {
            File.Delete(old);
        }

        foreach (var log in Directory.GetFiles(logDirectory, "*.log"))
        {
            File.Move(log, Path.Combine(previous, Path.GetFileName(log)));
        }
    }

    /// <summary>Takes the daemon lock; a <c>down</c> or <c>ps</c> that probes it at this moment holds it for an instant, so try a few times.</summary>
    private async Task<DaemonLock?> AcquireLockAsync() =>
        await s_lockRetry.ExecuteAsync(_ => ValueTask.FromResult(DaemonLock.TryAcquire(stack.StateDirectory)));

    /// <summary>
    /// Makes the state directory and what Shoal keeps in it (state, registry, logs, records, builds) private, also
    /// where an older version left them readable; the services' own data directories are theirs and left alone.
    /// </summary>
    internal static void SecureStateDirectory(string stateDirectory)
    {
        PrivateFiles.CreateDirectory(stateDirectory);
        foreach (var entry in Directory.EnumerateFileSystemEntries(stateDirectory))
        {
            if (Path.GetFileName(entry) == "data")
            {
                PrivateFiles.CreateDirectory(entry);
            }
            else
            {
                PrivateFiles.TightenTree(entry);
            }
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Shoal stops its children itself, dependents first and drained: keep the runtime from exiting now.
        context.Cancel = true;
        _shutdown.Cancel();
    }

    private static async Task<bool> TryStartAsync(WebApplication app, string what, Uri url, ILogger logger)
    {
        try
        {
            await app.StartAsync();
            return true;
        }
        catch (IOException ex)
        {
            Log.CannotListen(logger, what, url, ex.Message);
            Console.Error.WriteLine($"error: the {what} cannot listen on {url}: {ex.Message}");
            return false;
        }
    }

    private void WriteState()
    {
        lock (_stateLock)
        {
            var records = Supervisor!.Snapshot().Services
                .SelectMany(s => s.Replicas)
                .Where(r => r.Pid is not null)
                .Select(r => new ProcessRecord(r.Id, r.Pid!.Value, r.StartTime))
                .ToList();
            if (File.Exists(StackState.PathIn(stack.StateDirectory)) && records.SequenceEqual(_written))
            {
                return;
            }

            _written = records;
            var self = Environment.ProcessId;
            new StackState
            {
                Stack = stack.Name,
                File = stack.FilePath,
                Daemon = new ProcessRecord("shoal", self, ProcessIdentity.StartTimeOf(self) ?? 0),
                Admin = stack.Gateway.Admin.ToString(),
                Gateway = stack.Gateway.Listen.ToString(),
                Instances = records,
            }.Write(stack.StateDirectory);
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging) =>
        logging
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Error)
            .AddFilter("System.Net.Http", LogLevel.Warning);

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Information, "Stopping stack {Stack}")]
        public static partial void Stopping(ILogger logger, string stack);

        [LoggerMessage(9002, LogLevel.Information, "Stack {Stack} stopped")]
        public static partial void Stopped(ILogger logger, string stack);

        [LoggerMessage(9003, LogLevel.Error, "The {What} cannot listen on {Url}: {Reason}")]
        public static partial void CannotListen(ILogger logger, string what, Uri url, string reason);

        [LoggerMessage(9004, LogLevel.Error, "The registry {Store} cannot be opened: {Reason}")]
        public static partial void RegistryUnavailable(ILogger logger, string store, string reason);

        [LoggerMessage(9005, LogLevel.Warning, "No admin socket: the path {Path} is too long for a Unix socket; the CLI uses TCP with the token")]
        public static partial void SocketPathTooLong(ILogger logger, string path);
    }
}
