using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Shoal.Catalog;
using Shoal.Resilience;

namespace Shoal.Registry;

/// <summary>
/// The catalog the gateway follows, kept in step with a registry store: it reads the store once, then applies the
/// store's watch. The stack's own replicas are written through it with a TTL this process renews, so they vanish
/// from a shared store when the process dies; external instances are written through the registry API.
/// </summary>
public sealed partial class RegistryCatalog : IServiceCatalog, IAsyncDisposable
{
    /// <summary>The metadata key naming the process that owns (heartbeats) an instance.</summary>
    public const string OwnerKey = "shoal.owner";

    private readonly IRegistryStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<(string Service, string Id)> _owned = [];
    private ImmutableSortedDictionary<(string Service, string Id), RegistryEntry> _entries = ImmutableSortedDictionary.Create<(string Service, string Id), RegistryEntry>(CatalogPublisher.Order);
    private ImmutableDictionary<string, long> _serviceIndex = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);
    private readonly CatalogPublisher _publisher = new();
    private long _storeIndex;
    private long _appliedIndex;
    private readonly List<Task> _loops = [];
    private readonly Telemetry.RegistryMetrics _metrics;

    /// <summary>Creates a catalog over <paramref name="store"/>, which it owns; <paramref name="owner"/> names this process in the instances it writes.</summary>
    public RegistryCatalog(IRegistryStore store, string owner, TimeProvider timeProvider, ILogger logger)
    {
        _metrics = new Telemetry.RegistryMetrics(() => Current.Instances.Length, timeProvider);
        _store = _metrics.Measure(store);
        _owner = owner;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The name this process writes into its instances' <see cref="OwnerKey"/>, e.g. <c>shop.web-01</c>.</summary>
    public string Owner => _owner;

    /// <summary>
    /// What this process appends to its replicas' ids in the store: <c>@OWNER</c> when the store is shared (so
    /// <c>app-1</c> is registered as <c>app-1@shop.web-01</c>), nothing when the store is this stack's own.
    /// </summary>
    public string OwnedIdSuffix => _store.Shared ? "@" + _owner : "";

    /// <summary>
    /// The owner name of stack <paramref name="stack"/> on host <paramref name="host"/>: <c>STACK.HOST</c>, with
    /// anything but letters, digits, '.', '_' and '-' turned into '-', at most 60 characters so a qualified id stays
    /// a valid instance id.
    /// </summary>
    public static string OwnerFor(string stack, string host)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(host);
        var text = $"{stack}.{host}".ToCharArray();
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]) && text[i] is not ('.' or '_' or '-'))
            {
                text[i] = '-';
            }
        }

        var owner = new string(text);
        return owner.Length <= 60 ? owner : owner[..60];
    }

    /// <summary>The TTL of the instances this process writes; renewed at a third of it.</summary>
    public TimeSpan OwnedTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least time between two sweeps of TTLs, for stores that do not expire them themselves. A sweep runs when the
    /// next TTL runs out (the store's answer after the last sweep, or an applied change's own TTL if that is sooner);
    /// none while nothing can be due.
    /// </summary>
    /// <value>200 ms: a TTL that ran out is applied within that of the moment it did.</value>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The store behind the catalog.</summary>
    public IRegistryStore Store => _store;

    /// <inheritdoc />
    public CatalogSnapshot Current => _publisher.Current;

    /// <summary>Every registration, with TTLs, at <see cref="Current"/>'s index.</summary>
    public ImmutableSortedDictionary<(string Service, string Id), RegistryEntry> Entries => Volatile.Read(ref _entries);

    /// <summary>The store's index that <see cref="Current"/> reflects; what the registry API answers and watches resume from.</summary>
    /// <remarks><see cref="CatalogSnapshot.Index"/> is this catalog's own version, which grows with every change it applies.</remarks>
    public long StoreIndex => Volatile.Read(ref _storeIndex);

    /// <summary>The index of the last change to <paramref name="service"/>, or 0.</summary>
    public long ServiceIndex(string service) => Volatile.Read(ref _serviceIndex).GetValueOrDefault(service);

    /// <summary>Opens the store, loads it, removes what an earlier run of this owner left, and starts following it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var view = await _store.ReadAsync(cancellationToken).ConfigureAwait(false);
        Reset(view);
        _loops.Add(FollowAsync(view.Index, _stop.Token));
        // Only this owner's own leftovers: other gateways sharing the store renew theirs.
        foreach (var stale in view.Entries.Where(e => e.Registration.Instance.Metadata.GetValueOrDefault(OwnerKey) == _owner))
        {
            await RemoveAsync(stale.Registration.Instance.Service, stale.Registration.Instance.Id, cancellationToken).ConfigureAwait(false);
        }

        _loops.Add(HeartbeatOwnedAsync(_stop.Token));
        if (!_store.ExpiresTtls)
        {
            _loops.Add(SweepAsync(_stop.Token));
        }
    }

    /// <summary>Registers an instance from the API; completes once the catalog shows it.</summary>
    public async Task<long> PutAsync(Registration registration, CancellationToken cancellationToken)
    {
        var index = await _store.PutAsync(registration, cancellationToken).ConfigureAwait(false);
        await WaitForIndexAsync(index, cancellationToken).ConfigureAwait(false);
        return Math.Max(index, StoreIndex);
    }

    /// <summary>Deregisters an instance; null when it was not registered.</summary>
    public async Task<long?> DeleteAsync(string service, string id, CancellationToken cancellationToken)
    {
        var index = await _store.DeleteAsync(service, id, cancellationToken).ConfigureAwait(false);
        if (index is { } i)
        {
            await WaitForIndexAsync(i, cancellationToken).ConfigureAwait(false);
        }

        return index;
    }

    /// <summary>Renews an instance's TTL; null when it is not registered.</summary>
    public async Task<long?> HeartbeatAsync(string service, string id, CancellationToken cancellationToken)
    {
        var index = await _store.HeartbeatAsync(service, id, cancellationToken).ConfigureAwait(false);
        if (index is { } i)
        {
            await WaitForIndexAsync(i, cancellationToken).ConfigureAwait(false);
            return Math.Max(i, StoreIndex);
        }

        return null;
    }

    /// <inheritdoc />
    /// <remarks>For this process's own replicas: in a shared store their ids must end with <see cref="OwnedIdSuffix"/>.</remarks>
    public async ValueTask UpsertAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!instance.Id.EndsWith(OwnedIdSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{instance.Id}' is not an id of {_owner}: in a shared store it ends with '{OwnedIdSuffix}'", nameof(instance));
        }

        lock (_lock)
        {
            _owned.Add((instance.Service, instance.Id));
        }

        var metadata = new Dictionary<string, string>(instance.Metadata) { [OwnerKey] = _owner };
        var registration = new Registration(instance with { Metadata = metadata }, OwnedTtl, TimeSpan.Zero);
        await PutAsync(registration, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Removes only an instance this process owns: one another gateway owns is left alone (false).</remarks>
    public async ValueTask<bool> RemoveAsync(string service, string id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _owned.Remove((service, id));
        }

        if (Entries.TryGetValue((service, id), out var entry) && entry.Registration.Instance.Metadata.GetValueOrDefault(OwnerKey) != _owner)
        {
            return false;
        }

        return await DeleteAsync(service, id, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public ValueTask<CatalogSnapshot> WaitForChangeAsync(long index, CancellationToken cancellationToken) =>
        _publisher.WaitForChangeAsync(index, cancellationToken);

    /// <summary>Completes once the catalog reflects the store's index <paramref name="index"/>.</summary>
    public async Task WaitForIndexAsync(long index, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<CatalogSnapshot> signal;
            lock (_lock)
            {
                if (_storeIndex >= index)
                {
                    return;
                }

                signal = _publisher.NextChange;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
        _sweepSoon.Dispose();
        await _store.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    private async Task FollowAsync(long index, CancellationToken token)
    {
        await Task.Yield();

        // The store is unreachable or lost the history: every half second, read it whole again until it answers,
        // then watch from its index.
        var reread = false;
        var follow = Retry.Create(new RetrySchedule(int.MaxValue, TimeSpan.FromMilliseconds(500)), _ => true, _time, (ex, _) =>
        {
            Log.FollowFailed(_logger, _store.Description, ex.Message);
            reread = true;
        });
        while (!token.IsCancellationRequested)
        {
            try
            {
                await follow.ExecuteAsync(
                    async t =>
                    {
                        if (reread)
                        {
                            var view = await _store.ReadAsync(t).ConfigureAwait(false);
                            Reset(view);
                            index = view.Index;
                            reread = false;
                        }

                        // A burst of events (a batch the store already has) is applied whole and published once.
                        var events = _store.WatchAsync(index, t).GetAsyncEnumerator(t);
                        await using (events.ConfigureAwait(false))
                        {
                            var next = events.MoveNextAsync();
                            while (await next.ConfigureAwait(false))
                            {
                                var change = events.Current;
                                index = change.Index;
                                next = events.MoveNextAsync();
                                Apply(change, publish: !next.IsCompleted);
                            }
                        }
                    },
                    token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task HeartbeatOwnedAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(OwnedTtl / 3, _time, token).ConfigureAwait(false);
            List<(string Service, string Id)> owned;
            lock (_lock)
            {
                owned = [.. _owned];
            }

            foreach (var (service, id) in owned)
            {
                try
                {
                    await _store.HeartbeatAsync(service, id, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.HeartbeatFailed(_logger, service, id, ex.Message);
                }
            }
        }
    }

    private void Apply(RegistryEvent change, bool publish)
    {
        var instance = change.Entry.Registration.Instance;
        var key = (instance.Service, instance.Id);
        if (!_store.ExpiresTtls && ExpiryOf(change) is { } expiry)
        {
            SweepBy(expiry);
        }

        lock (_lock)
        {
            _entries = change.Kind == RegistryEventKind.Deregistered ? _entries.Remove(key) : _entries.SetItem(key, change.Entry);
            _serviceIndex = _serviceIndex.SetItem(instance.Service, change.Index);
            _appliedIndex = Math.Max(_appliedIndex, change.Index);
            if (publish)
            {
                // The store index moves with the snapshot, so a write acknowledged at that index is already routable.
                _storeIndex = _appliedIndex;
                Publish();
            }
        }
    }

    private void Reset(RegistryView view)
    {
        // Read whole again: whatever the view holds may run out at any time, so the sweeper asks the store at once.
        SweepBy(DateTimeOffset.MinValue);
        lock (_lock)
        {
            _entries = view.Entries.ToImmutableSortedDictionary(e => (e.Registration.Instance.Service, e.Registration.Instance.Id), e => e, CatalogPublisher.Order);
            _serviceIndex = view.Entries.Select(e => e.Registration.Instance.Service).Distinct()
                .ToImmutableDictionary(s => s, _ => view.Index, StringComparer.Ordinal);
            _appliedIndex = Math.Max(_appliedIndex, view.Index);
            _storeIndex = _appliedIndex;
            Publish();
        }
    }

    private void Publish() => _publisher.Publish(_entries.Values.Select(e => e.Instance), inOrder: true);

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Warning, "Following the registry {Store} failed: {Reason}; reading it again")]
        public static partial void FollowFailed(ILogger logger, string store, string reason);

        [LoggerMessage(4002, LogLevel.Warning, "Renewing {Service}/{Id} failed: {Reason}")]
        public static partial void HeartbeatFailed(ILogger logger, string service, string id, string reason);

        [LoggerMessage(4003, LogLevel.Warning, "Expiring TTLs failed: {Reason}")]
        public static partial void SweepFailed(ILogger logger, string reason);
    }
}
