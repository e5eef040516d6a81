using Shoal.Catalog;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Keeps the replicas of one service at the desired count.</summary>
internal sealed class ServiceRunner
{
    private readonly ReplicaTemplate _template;
    private readonly SupervisionContext _context;
    private readonly PortAllocator _ports;
    private readonly SemaphoreSlim _scaling = new(1, 1);
    private readonly List<Replica> _replicas = [];
    private readonly Lock _lock = new();
    private int _desired;

    public ServiceRunner(ReplicaTemplate template, SupervisionContext context, PortAllocator ports)
    {
        _template = template;
        _context = context;
        _ports = ports;
        _desired = template.Service.Replicas;
    }

    public ServiceDefinition Service => _template.Service;

    public ServiceSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new ServiceSnapshot(Service.Name, _desired, _replicas.Select(r => r.Snapshot).OrderBy(r => r.Index).ToList());
        }
    }

    /// <summary>Sets the replica count: new replicas get the lowest free indexes; removed ones are the highest, drained first.</summary>
    public async Task ScaleAsync(int replicas, IInstanceDrainer drainer, CancellationToken cancellationToken)
    {
        await _scaling.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<Replica> removed;
            lock (_lock)
            {
                _desired = replicas;
                while (_replicas.Count < replicas)
                {
                    var index = Enumerable.Range(1, _replicas.Count + 1).First(i => _replicas.All(r => r.Index != i));
                    var port = Service.Port.Kind switch
                    {
                        PortKind.Auto => _ports.Allocate(),
                        PortKind.Fixed => Service.Port.Fixed,
                        _ => 0,
                    };
                    var replica = new Replica(_template, index, port, _context);
                    _replicas.Add(replica);
                    replica.Start();
                }

                removed = _replicas.OrderByDescending(r => r.Index).Take(_replicas.Count - replicas).ToList();
            }

            _context.Changed();
            await Task.WhenAll(removed.Select(r => RemoveAsync(r, drainer, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            _scaling.Release();
        }
    }

    /// <summary>
    /// Does not start the service: its desired replicas are shown failed with <paramref name="message"/> (a dependency
    /// it waits to complete failed), so <c>up</c> and <c>ps</c> tell why. A later scale starts replicas as usual.
    /// </summary>
    public void Refuse(string message)
    {
        List<Replica> refused = [];
        lock (_lock)
        {
            for (var index = _replicas.Count + 1; index <= _desired; index++)
            {
                refused.Add(new Replica(_template, index, 0, _context));
            }

            _replicas.AddRange(refused);
        }

        // Outside the lock: a change handler takes its own lock and then a snapshot, which takes this one.
        foreach (var replica in refused)
        {
            replica.Refuse(message);
        }
    }

    public Task StopAsync(IInstanceDrainer drainer, CancellationToken cancellationToken)
    {
        List<Replica> all;
        lock (_lock)
        {
            all = [.. _replicas];
        }

        return Task.WhenAll(all.Select(r => RemoveAsync(r, drainer, cancellationToken)));
    }

    private async Task RemoveAsync(Replica replica, IInstanceDrainer drainer, CancellationToken cancellationToken)
    {
        await replica.StopAsync(drainer, drain: true, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _replicas.Remove(replica);
        }

        if (Service.Port.Kind == PortKind.Auto)
        {
            _ports.Release(replica.Snapshot.Port);
        }

        _context.Changed();
    }
}
