using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Processes;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Runs a whole stack: services in dependency order, health-gated, scaled live, stopped dependents-first.</summary>
public sealed class StackSupervisor : IAsyncDisposable
{
    private readonly StackDefinition _stack;
    private readonly Dictionary<string, ServiceRunner> _services = new(StringComparer.Ordinal);
    private readonly IInstanceDrainer _drainer;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _starting;

    /// <summary>Creates the supervisor; <paramref name="commands"/> maps each service to the argv it runs (after any project build).</summary>
    public StackSupervisor(
        StackDefinition stack,
        IReadOnlyDictionary<string, ResolvedCommand> commands,
        IProcessRuntime runtime,
        IServiceCatalog catalog,
        IHealthProbe probe,
        IInstanceDrainer drainer,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(loggers);
        // External services have no processes here: the registry brings their instances.
        _stack = stack with { Services = stack.Services.Where(s => !s.External).ToList() };
        _drainer = drainer;
        var ports = new PortAllocator();
        foreach (var service in _stack.Services)
        {
            var command = commands[service.Name];
            var template = new ReplicaTemplate(service, stack.Name, command.Argv, command.PassUrls, stack.StateDirectory);
            var context = new SupervisionContext(runtime, catalog, probe, time, loggers.CreateLogger("Shoal.Stack." + service.Name), OnChanged);
            _services[service.Name] = new ServiceRunner(template, context, ports);
        }
    }

    /// <summary>Raised after any replica changes state.</summary>
    public event Action? Changed;

    /// <summary>The current state of every service.</summary>
    public StackSnapshot Snapshot() =>
        new(_stack.Name, _stack.Services.Select(s => _services[s.Name].Snapshot()).ToList());

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

    /// <summary>Completes at the next change of any replica.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) => Volatile.Read(ref _changed).Task.WaitAsync(cancellationToken);

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
            while (!token.IsCancellationRequested)
            {
                var snapshot = runner.Snapshot();
                var met = dependency.Condition == DependencyCondition.Healthy ? snapshot.IsHealthy : snapshot.IsStarted;
                if (met)
                {
                    break;
                }

                await WaitForChangeAsync(token).ConfigureAwait(false);
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
        var released = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        released.TrySetResult();
        Changed?.Invoke();
    }
}

/// <summary>The argv a service runs, and whether Shoal appends <c>--urls</c> (for .NET projects it built).</summary>
/// <param name="Argv">The program and its arguments; <c>${PORT}</c> and friends are substituted per replica.</param>
/// <param name="PassUrls">Append <c>--urls http://127.0.0.1:PORT</c>.</param>
public sealed record ResolvedCommand(IReadOnlyList<string> Argv, bool PassUrls);
