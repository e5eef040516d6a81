using System.Globalization;
using Shoal.Events;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Hosting.Events;

/// <summary>
/// Publishes the supervisor's lifecycle events by comparing each new snapshot with the last one: the supervisor raises
/// <see cref="StackSupervisor.Changed"/> after every replica change, so the supervisor itself needs no event code.
/// </summary>
internal sealed class SupervisorEvents
{
    private readonly Func<StackSnapshot> _snapshot;
    private readonly Func<string, string?> _versionOf;
    private readonly IPlatformEvents _events;
    private readonly string _catalogIdSuffix;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ReplicaSnapshot> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _desired = new(StringComparer.Ordinal);

    /// <summary>Creates the publisher over a snapshot source and the main version of each service; internal for tests.</summary>
    internal SupervisorEvents(Func<StackSnapshot> snapshot, Func<string, string?> versionOf, IPlatformEvents events, string catalogIdSuffix)
    {
        _snapshot = snapshot;
        _versionOf = versionOf;
        _events = events;
        _catalogIdSuffix = catalogIdSuffix;
    }

    /// <summary>Starts publishing <paramref name="supervisor"/>'s changes; instance ids as the catalog knows them (with <paramref name="catalogIdSuffix"/>).</summary>
    public static void Attach(StackSupervisor supervisor, IPlatformEvents events, string catalogIdSuffix)
    {
        var publisher = new SupervisorEvents(supervisor.Snapshot, supervisor.VersionOf, events, catalogIdSuffix);
        supervisor.Changed += publisher.OnChanged;
    }

    /// <summary>Compares the current snapshot with the last; internal for tests.</summary>
    internal void OnChanged()
    {
        lock (_lock)
        {
            Compare(_snapshot());
        }
    }

    private void Compare(StackSnapshot snapshot)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var mainSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in snapshot.Services)
        {
            // The main replicas come first; a deployment's other versions and retiring runners share the name.
            var main = mainSeen.Add(service.Name);
            var version = main ? _versionOf(service.Name) : null;
            if (main)
            {
                if (_desired.TryGetValue(service.Name, out var before) && before != service.Desired)
                {
                    Publish(PlatformEventTypes.ServiceScaled, service.Name, null, version, $"{before} → {service.Desired} replicas", ("from", before), ("to", service.Desired));
                }

                _desired[service.Name] = service.Desired;
            }

            foreach (var replica in service.Replicas)
            {
                seen.Add(replica.Id);
                var previous = _replicas.GetValueOrDefault(replica.Id);
                _replicas[replica.Id] = replica;
                CompareReplica(previous, replica, version);
            }
        }

        foreach (var gone in _replicas.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            var last = _replicas[gone];
            _replicas.Remove(gone);
            if (!IsDown(last.State))
            {
                Publish(PlatformEventTypes.InstanceStopped, last.Service, last.Id, null, "removed", ("state", "removed"));
            }
        }
    }

    private void CompareReplica(ReplicaSnapshot? previous, ReplicaSnapshot current, string? version)
    {
        var service = current.Service;
        var id = current.Id;
        if (current.Restarts > (previous?.Restarts ?? 0))
        {
            Publish(PlatformEventTypes.InstanceRestarted, service, id, version, $"restart {current.Restarts}", ("restarts", current.Restarts));
        }

        if (current.Pid is { } pid && current.Pid != previous?.Pid && current.State == ReplicaState.Starting)
        {
            Publish(PlatformEventTypes.InstanceStarted, service, id, version, $"pid {pid.ToString(CultureInfo.InvariantCulture)}, port {current.Port.ToString(CultureInfo.InvariantCulture)}", ("pid", pid), ("port", current.Port));
        }

        if (current.State == ReplicaState.Healthy && previous?.State != ReplicaState.Healthy)
        {
            Publish(PlatformEventTypes.InstanceHealthy, service, id, version, current.Message);
        }

        if (current.State == ReplicaState.Unhealthy && previous?.State != ReplicaState.Unhealthy)
        {
            Publish(PlatformEventTypes.InstanceUnhealthy, service, id, version, current.Message);
        }

        if (current.OomKills > (previous?.OomKills ?? 0))
        {
            Publish(PlatformEventTypes.InstanceOomKilled, service, id, version, current.Message, ("oom_kills", current.OomKills));
        }

        if (IsDown(current.State) && previous is not null && !IsDown(previous.State))
        {
            var facts = current.LastExitCode is { } code
                ? new (string, object)[] { ("state", Name(current.State)), ("exit_code", code), ("reason", current.LastExitReason ?? "exited") }
                : [("state", Name(current.State))];
            Publish(PlatformEventTypes.InstanceStopped, service, id, version, current.Message, facts);
        }
    }

    private static bool IsDown(ReplicaState state) => state is ReplicaState.Restarting or ReplicaState.Stopped or ReplicaState.Exited or ReplicaState.Failed;

    private static string Name(ReplicaState state) => state.ToString().ToLowerInvariant();

    private void Publish(string type, string service, string? replicaId, string? version, string? message, params (string Key, object Value)[] details) =>
        _events.Publish(new PlatformEvent
        {
            Type = type,
            Service = service,
            Instance = replicaId is null ? null : replicaId + _catalogIdSuffix,
            Version = version,
            Message = message,
            Details = details.Length == 0 ? null : details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
        });
}
