using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Resilience;
using Shoal.Gateway.Routing;
using Shoal.Gateway.Telemetry;

namespace Shoal.Gateway.Model;

/// <summary>Holds the route table and the per-service destination snapshots; rebuilt off the request path whenever the catalog, passive health or a breaker changes.</summary>
internal sealed class GatewayState
{
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies;
    private readonly Dictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, string Id), DestinationState> _destinations = [];
    private readonly HashSet<DestinationState> _routable = [];
    private readonly Lock _lock = new();
    private long _appliedIndex = -1;
    private TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly GatewayMetrics _metrics;

    public GatewayState(GatewayOptions options, IEnumerable<ILoadBalancingPolicy> policies, TimeProvider time, GatewayMetrics? metrics = null)
    {
        _metrics = metrics ?? GatewayMetrics.Disabled;
        _metrics.Follow(() => Clusters);
        _options = options;
        _time = time;
        _policies = PolicyIndex(policies);
        Routes = new RouteTable(options.Routes, ClusterFor);
    }

    public RouteTable Routes { get; }

    /// <summary>How a request that starts wakes the stall detector while it sleeps.</summary>
    public RequestActivity Activity { get; } = new();

    /// <summary>Where ejections are announced.</summary>
    public Shoal.Events.IPlatformEvents Events => _options.Events;

    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>Every strategy name the gateway knows, built-in and from plugins.</summary>
    public IReadOnlyCollection<string> Strategies => _policies.Keys;

    public IReadOnlyCollection<ClusterState> Clusters
    {
        get
        {
            lock (_lock)
            {
                return [.. _clusters.Values];
            }
        }
    }

    public ClusterState? FindCluster(string service)
    {
        lock (_lock)
        {
            return _clusters.GetValueOrDefault(service);
        }
    }

    public DestinationState? FindDestination(string service, string id)
    {
        lock (_lock)
        {
            return _destinations.GetValueOrDefault((service, id));
        }
    }

    /// <summary>
    /// Replaces a service's settings (strategy, resilience) at run time; requests in flight finish under the old ones,
    /// and limits whose settings did not change keep their counts (<see cref="ClusterConfig.KeepStateOf"/>).
    /// The change is announced as <c>config.reloaded</c>: it is the daemon's one live change of its configuration.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The strategy is unknown.</exception>
    public ClusterState Configure(string service, ServiceRoutingOptions options)
    {
        ClusterState cluster;
        lock (_lock)
        {
            cluster = ClusterFor(service);
            var config = BuildConfig(options);
            config.KeepStateOf(cluster.Config);
            cluster.Config = config;
            foreach (var destination in cluster.AllDestinations)
            {
                destination.Breaker.Configure(options.Resilience.CircuitBreaker);
            }
        }

        var strategy = options.LoadBalancing.Strategy;
        Events.Publish(new Shoal.Events.PlatformEvent
        {
            Type = Shoal.Events.PlatformEventTypes.ConfigReloaded,
            Service = service,
            Message = $"load balancing set to {strategy}",
            Details = new Dictionary<string, object>(StringComparer.Ordinal) { ["section"] = "load_balancing", ["strategy"] = strategy },
        });
        return cluster;
    }

    /// <summary>Takes a new catalog view: instances that restarted get a fresh destination, gone ones are dropped.</summary>
    public void Apply(CatalogSnapshot snapshot)
    {
        lock (_lock)
        {
            var seen = new HashSet<(string, string)>();
            foreach (var instance in snapshot.Instances)
            {
                var key = (instance.Service, instance.Id);
                seen.Add(key);
                if (_destinations.TryGetValue(key, out var existing)
                    && existing.Instance.Port == instance.Port
                    && existing.Instance.Address == instance.Address
                    && existing.Instance.RegisteredAt == instance.RegisteredAt)
                {
                    existing.Instance = instance;
                }
                else
                {
                    var cluster = ClusterFor(instance.Service);
                    if (existing is not null)
                    {
                        _routable.Remove(existing);
                    }

                    _destinations[key] = new DestinationState(
                        instance,
                        new CircuitBreaker(cluster.Config.Resilience.CircuitBreaker, _time, b => { _metrics.OnBreakerChanged(instance, b.State); Rebuild(); }),
                        _time.GetTimestamp(),
                        Activity);
                }
            }

            foreach (var key in _destinations.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _routable.Remove(_destinations[key]);
                _destinations.Remove(key);
            }

            RebuildLocked();
            Volatile.Write(ref _appliedIndex, snapshot.Index);
            var released = _applied;
            _applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.TrySetResult();
        }
    }

    /// <summary>Recomputes which destinations are available, e.g. after an ejection or a breaker change.</summary>
    public void Rebuild()
    {
        lock (_lock)
        {
            RebuildLocked();
        }
    }

    /// <summary>Completes once a catalog index at or above <paramref name="index"/> is applied.</summary>
    public async Task WaitForIndexAsync(long index, CancellationToken cancellationToken)
    {
        while (AppliedIndex < index)
        {
            Task next;
            lock (_lock)
            {
                if (_appliedIndex >= index)
                {
                    return;
                }

                next = _applied.Task;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void RebuildLocked()
    {
        foreach (var group in _destinations.Values.GroupBy(d => d.Instance.Service, StringComparer.Ordinal))
        {
            ClusterFor(group.Key);
        }

        var now = _time.GetTimestamp();
        foreach (var cluster in _clusters.Values)
        {
            var all = _destinations.Values
                .Where(d => string.Equals(d.Instance.Service, cluster.Service, StringComparison.Ordinal))
                .OrderBy(d => d.Id, InstanceIdComparer.Instance)
                .ToArray();
            var routable = all.Where(d => d.Instance.IsRoutable).ToArray();
            foreach (var destination in all)
            {
                // Slow start counts from the moment an instance becomes routable.
                if (destination.Instance.IsRoutable ? _routable.Add(destination) : _routable.Remove(destination))
                {
                    destination.ReadySince = now;
                }
            }

            var available = routable.Where(d => !d.IsEjected && d.Circuit != CircuitState.Open).ToArray();

            // Panic mode: when ejections and open breakers leave nothing, trying every routable instance beats refusing everything.
            cluster.Update(all, available.Length > 0 ? available : routable, panic: available.Length == 0 && routable.Length > 0);
        }
    }

    private ClusterState ClusterFor(string service)
    {
        lock (_lock)
        {
            if (!_clusters.TryGetValue(service, out var cluster))
            {
                cluster = new ClusterState(service, BuildConfig(_options.For(service)), _time);
                _clusters[service] = cluster;
            }

            return cluster;
        }
    }

    private ClusterConfig BuildConfig(ServiceRoutingOptions options) =>
        new(options, PolicyFor(options.LoadBalancing.Strategy), RetryPipelines.Create(options.Resilience.Retries, _time));

    private ILoadBalancingPolicy PolicyFor(string name) =>
        _policies.TryGetValue(name, out var policy)
            ? policy
            : throw new KeyNotFoundException($"No load-balancing strategy named '{name}'; known: {string.Join(", ", _policies.Keys.Order(StringComparer.Ordinal))}.");

    private static Dictionary<string, ILoadBalancingPolicy> PolicyIndex(IEnumerable<ILoadBalancingPolicy> policies)
    {
        var index = new Dictionary<string, ILoadBalancingPolicy>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (!index.TryAdd(policy.Name, policy))
            {
                throw new InvalidOperationException($"Two load-balancing strategies are named '{policy.Name}'.");
            }
        }

        return index;
    }
}
