using Shoal.Catalog;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Routing;

namespace Shoal.Gateway.Model;

/// <summary>Holds the route table and the per-service destination snapshots; rebuilt off the request path whenever the catalog or passive health changes.</summary>
internal sealed class GatewayState
{
    private readonly GatewayOptions _options;
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies;
    private readonly Dictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, string Id), DestinationState> _destinations = [];
    private readonly Lock _lock = new();
    private CatalogSnapshot _catalog = CatalogSnapshot.Empty;
    private long _appliedIndex = -1;
    private TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GatewayState(GatewayOptions options, IEnumerable<ILoadBalancingPolicy> policies)
    {
        _options = options;
        _policies = PolicyIndex(policies);
        Routes = new RouteTable(options.Routes, ClusterFor);
    }

    public RouteTable Routes { get; }

    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

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

    public DestinationState? FindDestination(string service, string id)
    {
        lock (_lock)
        {
            return _destinations.GetValueOrDefault((service, id));
        }
    }

    /// <summary>Takes a new catalog view: instances that restarted get a fresh destination, gone ones are dropped.</summary>
    public void Apply(CatalogSnapshot snapshot)
    {
        lock (_lock)
        {
            _catalog = snapshot;
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
                    _destinations[key] = new DestinationState(instance);
                }
            }

            foreach (var key in _destinations.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _destinations.Remove(key);
            }

            RebuildLocked();
            Volatile.Write(ref _appliedIndex, snapshot.Index);
            var released = _applied;
            _applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.TrySetResult();
        }
    }

    /// <summary>Recomputes which destinations are available, e.g. after an ejection.</summary>
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

        foreach (var cluster in _clusters.Values)
        {
            var all = _destinations.Values
                .Where(d => string.Equals(d.Instance.Service, cluster.Service, StringComparison.Ordinal))
                .OrderBy(d => d.Id, InstanceIdComparer.Instance)
                .ToArray();
            var routable = all.Where(d => d.Instance.IsRoutable).ToArray();
            var available = routable.Where(d => !d.IsEjected).ToArray();

            // Panic mode: when passive health has ejected every routable instance, trying them beats refusing everything.
            cluster.Update(all, available.Length > 0 ? available : routable);
        }
    }

    private ClusterState ClusterFor(string service)
    {
        lock (_lock)
        {
            if (!_clusters.TryGetValue(service, out var cluster))
            {
                var options = _options.For(service);
                cluster = new ClusterState(service, options, PolicyFor(options.LoadBalancing));
                _clusters[service] = cluster;
            }

            return cluster;
        }
    }

    private ILoadBalancingPolicy PolicyFor(string name) =>
        _policies.TryGetValue(name, out var policy)
            ? policy
            : throw new InvalidOperationException($"No load-balancing policy named '{name}'; known: {string.Join(", ", _policies.Keys)}.");

    private static Dictionary<string, ILoadBalancingPolicy> PolicyIndex(IEnumerable<ILoadBalancingPolicy> policies)
    {
        var index = new Dictionary<string, ILoadBalancingPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var policy in policies)
        {
            if (!index.TryAdd(policy.Name, policy))
            {
                throw new InvalidOperationException($"Two load-balancing policies are named '{policy.Name}'.");
            }
        }

        return index;
    }
}
