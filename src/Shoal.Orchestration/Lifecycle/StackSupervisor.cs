using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Stack;
using Shoal.Processes;
using Shoal.Utilities;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Runs a whole stack: services in dependency order, health-gated, scaled live, stopped dependents-first.</summary>
public sealed class StackSupervisor : IAsyncDisposable
{
    private readonly StackDefinition _stack;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ServiceRunner> _services = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Service, string Version), ServiceRunner> _versions = new();
    private readonly IReadOnlyDictionary<string, ResolvedCommand> _commands;
    private readonly Func<ServiceDefinition, IReadOnlyList<string>, bool, ServiceRunner> _newRunner;
    private readonly IInstanceDrainer _drainer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ChangeSignal _changed = new();

    // Runners draining to zero after a promotion or a stopped version; listed until they are gone.
    private readonly List<ServiceRunner> _retiring = [];

    // Held while a runner moves between the main services, the versions and the retiring, so a snapshot sees it once.
    private readonly Lock _layout = new();
    private Task? _starting;

    /// <summary>How often each running replica's usage (CPU, memory, tasks) is read.</summary>
    public static readonly TimeSpan UsageInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Creates the supervisor; <paramref name="commands"/> maps each service to the argv it runs (after any project
    /// build), and each service's replicas start in the runtime of its <c>runtime:</c> from <paramref name="runtimes"/>.
    /// <paramref name="catalogIdSuffix"/> is appended to every replica's id in <paramref name="catalog"/>
    /// (<c>@shop.web-01</c> in a shared registry); ids elsewhere (state, logs, <c>ps</c>) stay plain.
    /// </summary>
    /// <exception cref="Configuration.ConfigFileException">A service's runtime cannot run on this machine, or its user is unknown.</exception>
    public StackSupervisor(
        StackDefinition stack,
        IReadOnlyDictionary<string, ResolvedCommand> commands,
        IProcessRuntimeProvider runtimes,
        IServiceCatalog catalog,
        IHealthProbe probe,
        IInstanceDrainer drainer,
        TimeProvider time,
        ILoggerFactory loggers,
        string catalogIdSuffix = "")
        : this(stack, commands, runtimes, catalog, probe, drainer, time, loggers, catalogIdSuffix, ResolveUser, PosixUser.EffectiveUserId())
    {
    }

    private static (ProcessUser? User, string? Error) ResolveUser(string text)
    {
        try
        {
            return (ProcessUsers.Resolve(text), null);
        }
        catch (ProcessStartException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>Creates the supervisor with <paramref name="users"/> as the user database and <paramref name="daemonUid"/> as the daemon's user; internal for tests.</summary>
    internal StackSupervisor(
        StackDefinition stack,
        IReadOnlyDictionary<string, ResolvedCommand> commands,
        IProcessRuntimeProvider runtimes,
        IServiceCatalog catalog,
        IHealthProbe probe,
        IInstanceDrainer drainer,
        TimeProvider time,
        ILoggerFactory loggers,
        string catalogIdSuffix,
        Func<string, (ProcessUser? User, string? Error)> users,
        uint daemonUid)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(loggers);
        // External services have no processes here: the registry brings their instances.
        _stack = stack with { Services = stack.Services.Where(s => !s.External).ToList() };
        var launches = ServiceLaunches.Resolve(_stack, runtimes, users, daemonUid);
        _drainer = drainer;
        _time = time;
        var ports = new PortAllocator();
        var relays = GatewayRelays.For(stack.GatewayListen, loggers.CreateLogger("Shoal.Stack.Relay"), time);
        _commands = commands;
        _newRunner = (service, argv, passUrls) =>
        {
            var launch = launches[service.Name];
            var template = new ReplicaTemplate(service, stack.Name, argv, passUrls, stack.StateDirectory, launch.User);
            template.Addresses = ServiceAddresses.For(service, stack);
            template.Relays = relays;
            var context = new SupervisionContext(launch.Runtime, catalog, probe, time, loggers.CreateLogger("Shoal.Stack." + service.InstancePrefix), OnChanged, catalogIdSuffix);
            return new ServiceRunner(template, context, ports);
        };
        foreach (var service in _stack.Services)
        {
            var command = commands[service.Name];
            _services[service.Name] = _newRunner(service, command.Argv, command.PassUrls);
        }
    }

    /// <summary>Raised after any replica changes state.</summary>
    public event Action? Changed;

    /// <summary>The current state of every service.</summary>
    public StackSnapshot Snapshot()
    {
        List<ServiceRunner> runners;
        lock (_layout)
        {
            runners = [.. _stack.Services.Select(s => _services[s.Name]), .. _versions.Values, .. _retiring];
        }

        return new(_stack.Name, [.. runners.Select(r => r.Snapshot())]);
    }

    /// <summary>True while another version of <paramref name="service"/> runs or drains next to its main replicas (a deployment).</summary>
    public bool HasOtherVersions(string service)
    {
        lock (_layout)
        {
            return _versions.Keys.Any(k => k.Service == service) || _retiring.Any(r => r.Service.Name == service);
        }
    }

    /// <summary>A service's definition as its main replicas run it, or null.</summary>
    public ServiceDefinition? Definition(string service) => _services.TryGetValue(service, out var runner) ? runner.Service : null;

    /// <summary>The argv a service's main replicas run (the stack file's, or a promoted deployment's), or null for an unknown service.</summary>
    public IReadOnlyList<string>? CommandOf(string service) => _commands.TryGetValue(service, out var command) ? command.Argv : null;

    /// <summary>The version a service's main replicas run.</summary>
    public string? VersionOf(string service) => _services.TryGetValue(service, out var runner) ? runner.Service.Version : null;

    /// <summary>
    /// Starts <paramref name="replicas"/> replicas of another version of <paramref name="service"/> next to its main ones
    /// (ids <c>SERVICE-vVERSION-N</c>), with <paramref name="command"/> instead of the service's when given and
    /// <paramref name="environment"/> laid over its own; returns once they are started (health is the caller's to wait for).
    /// </summary>
    public async Task StartVersionAsync(string service, string version, IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> environment, int replicas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var main = _services.TryGetValue(service, out var runner) ? runner.Service : throw new KeyNotFoundException($"No service '{service}' in stack '{_stack.Name}'.");
        var definition = WithVersion(main, version, environment, replicas);
        var resolved = _commands[service];
        var next = _newRunner(definition, command ?? resolved.Argv, command is null && resolved.PassUrls);
        if (!_versions.TryAdd((service, version), next))
        {
            throw new InvalidOperationException($"Version {version} of '{service}' is already running.");
        }

        await next.ScaleAsync(replicas, _drainer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes the replica count of an extra version.</summary>
    public Task ScaleVersionAsync(string service, string version, int replicas, CancellationToken cancellationToken) =>
        _versions.TryGetValue((service, version), out var runner)
            ? runner.ScaleAsync(replicas, _drainer, cancellationToken)
            : throw new KeyNotFoundException($"Version {version} of '{service}' is not running.");

    /// <summary>The replicas of a service's main version.</summary>
    public ServiceSnapshot? ServiceSnapshot(string service) => _services.TryGetValue(service, out var runner) ? runner.Snapshot() : null;

    /// <summary>The replicas of an extra version, or null when none runs.</summary>
    public ServiceSnapshot? VersionSnapshot(string service, string version) =>
        _versions.TryGetValue((service, version), out var runner) ? runner.Snapshot() : null;

    /// <summary>Drains and stops the replicas of an extra version.</summary>
    public async Task StopVersionAsync(string service, string version, CancellationToken cancellationToken)
    {
        ServiceRunner? runner;
        lock (_layout)
        {
            if (_versions.TryRemove((service, version), out runner))
            {
                _retiring.Add(runner);
            }
        }

        if (runner is not null)
        {
            // Scaling to zero waits for a scale still starting replicas, so none is left behind.
            await RetireAsync(runner, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drains and stops a runner no longer main nor a version; if that is cut short, <see cref="StopAsync"/> finishes it.</summary>
    private async Task RetireAsync(ServiceRunner runner, CancellationToken cancellationToken)
    {
        await runner.ScaleAsync(0, _drainer, cancellationToken).ConfigureAwait(false);
        lock (_layout)
        {
            _retiring.Remove(runner);
        }

        OnChanged();
    }

    /// <summary>Makes an extra version the service's main replicas, and drains and stops the previous ones.</summary>
    public async Task PromoteVersionAsync(string service, string version, CancellationToken cancellationToken)
    {
        if (!_versions.TryGetValue((service, version), out var runner))
        {
            throw new KeyNotFoundException($"Version {version} of '{service}' is not running.");
        }

        // The new version takes over the service's replica count, healthy before the old replicas drain.
        var previous = _services[service];
        var desired = Math.Max(previous.Snapshot().Desired, runner.Snapshot().Desired);
        await runner.ScaleAsync(desired, _drainer, cancellationToken).ConfigureAwait(false);
        using (var timer = new CancellationTokenSource(TimeSpan.FromMinutes(2), _time))
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token))
        {
            try
            {
                await WaitUntilAsync(() => runner.Snapshot() is not { IsHealthy: false, Failure: null }, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not all healthy in time: the old replicas go anyway, as promotion was asked for.
            }
        }

        lock (_layout)
        {
            if (!_versions.TryRemove(new KeyValuePair<(string, string), ServiceRunner>((service, version), runner)))
            {
                throw new KeyNotFoundException($"Version {version} of '{service}' was stopped while it was being promoted.");
            }

            previous = _services[service];
            _services[service] = runner;
            _retiring.Add(previous);
        }

        await RetireAsync(previous, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <paramref name="main"/> running <paramref name="version"/>: <paramref name="environment"/> laid over its own, and
    /// replica ids of their own (<c>SERVICE-vVERSION-N</c>).
    /// </summary>
    public static ServiceDefinition WithVersion(ServiceDefinition main, string version, IReadOnlyDictionary<string, string> environment, int replicas)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(environment);
        var env = new Dictionary<string, string>(main.Environment, StringComparer.Ordinal);
        foreach (var (key, value) in environment)
        {
            env[key] = value;
        }

        return main with { Version = version, Environment = env, Replicas = replicas, InstanceStem = $"{main.Name}-v{VersionSlug(version)}" };
    }

    private static string VersionSlug(string version) =>
        new(version.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());

    /// <summary>Starts every service once its dependencies meet their conditions; returns at once.</summary>
    public void Start()
    {
        var started = new Dictionary<string, Task>(StringComparer.Ordinal);
        foreach (var service in TopologicalOrder())
        {
            var dependencies = service.DependsOn.Select(d => (d, started[d.Service])).ToList();
            started[service.Name] = StartServiceAsync(service, dependencies);
        }

        _starting = Task.WhenAll(started.Values);
    }

    /// <summary>Changes a service's replica count.</summary>
    /// <exception cref="KeyNotFoundException">No such service.</exception>
    public Task ScaleAsync(string service, int replicas, CancellationToken cancellationToken) =>
        _services.TryGetValue(service, out var runner)
            ? runner.ScaleAsync(replicas, _drainer, cancellationToken)
            : throw new KeyNotFoundException($"No service '{service}' in stack '{_stack.Name}'.");

    /// <summary>Completes once <paramref name="condition"/> holds, checked now and after every change of any replica.</summary>
    public Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken) => _changed.WaitUntilAsync(condition, cancellationToken);

    /// <summary>Stops everything: dependents before their dependencies, each replica drained, then SIGTERM, then SIGKILL.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_starting is not null)
        {
            try
            {
                await _starting.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        List<ServiceRunner> others;
        lock (_layout)
        {
            others = [.. _versions.Values, .. _retiring];
        }

        await Task.WhenAll(others.Select(v => v.StopAsync(_drainer, cancellationToken))).ConfigureAwait(false);
        foreach (var level in Enumerable.Reverse(TopologicalLevels()))
        {
            await Task.WhenAll(level.Select(s => _services[s.Name].StopAsync(_drainer, cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task StartServiceAsync(ServiceDefinition service, List<(DependencyDefinition Dependency, Task Started)> dependencies)
    {
        var token = _stopping.Token;
        foreach (var (dependency, started) in dependencies)
        {
            await started.ConfigureAwait(false);
            var runner = _services[dependency.Service];
            await WaitUntilAsync(() =>
            {
                var snapshot = runner.Snapshot();
                return dependency.Condition switch
                {
                    DependencyCondition.Healthy => snapshot.IsHealthy,
                    // A one-shot that failed for good (not one about to be retried) will never complete.
                    DependencyCondition.Completed => snapshot.IsCompleted || snapshot.Failure is not null,
                    _ => snapshot.IsStarted,
                };
            }, token).ConfigureAwait(false);
            if (dependency.Condition == DependencyCondition.Completed && runner.Snapshot() is { IsCompleted: false, Failure: { } failure })
            {
                var why = failure.LastExitCode is { } code ? $"exit {code}" : failure.Message;
                _services[service.Name].Refuse($"service \"{dependency.Service}\" didn't complete successfully: {why}");
                return;
            }
        }

        token.ThrowIfCancellationRequested();
        await _services[service.Name].ScaleAsync(service.Replicas, _drainer, token).ConfigureAwait(false);
    }

    private IEnumerable<ServiceDefinition> TopologicalOrder() => TopologicalLevels().SelectMany(l => l);

    private List<List<ServiceDefinition>> TopologicalLevels()
    {
        var levels = new List<List<ServiceDefinition>>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var remaining = _stack.Services.ToList();
        while (remaining.Count > 0)
        {
            var level = remaining.Where(s => s.DependsOn.All(d => placed.Contains(d.Service))).ToList();
            if (level.Count == 0)
            {
                throw new InvalidOperationException("Cyclic depends_on passed validation.");
            }

            levels.Add(level);
            foreach (var s in level)
            {
                placed.Add(s.Name);
                remaining.Remove(s);
            }
        }

        return levels;
    }

    private void OnChanged()
    {
        _changed.Notify();
        Changed?.Invoke();
    }
}
