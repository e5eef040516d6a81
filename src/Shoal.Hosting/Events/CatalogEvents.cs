using Microsoft.Extensions.Logging;
using Shoal.Events;
using Shoal.Registry;

namespace Shoal.Hosting.Events;

/// <summary>
/// Publishes the registry's changes (registered, deregistered, expired) by following the store's own watch, the one
/// the registry API streams, so the catalog needs no event code and a shared registry's other writers show up too.
/// </summary>
internal sealed partial class CatalogEvents : IAsyncDisposable
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);
    private readonly IRegistryStore _store;
    private readonly IPlatformEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<(string Service, string Id)> _expired = [];
    private Task _loop = Task.CompletedTask;

    private CatalogEvents(IRegistryStore store, IPlatformEvents events, TimeProvider time, ILogger logger)
    {
        _store = store;
        _events = events;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts publishing the changes after <paramref name="catalog"/>'s current index.</summary>
    public static CatalogEvents Start(RegistryCatalog catalog, IPlatformEvents events, TimeProvider time, ILogger logger)
    {
        var follower = new CatalogEvents(catalog.Store, events, time, logger);
        follower._loop = Task.Run(() => follower.FollowAsync(catalog.StoreIndex));
        return follower;
    }

    private async Task FollowAsync(long after)
    {
        var token = _stop.Token;
        var lost = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (lost)
                {
                    // The store compacted past us: what happened in between is lost for the stream too; carry on from now.
                    after = (await _store.ReadAsync(token).ConfigureAwait(false)).Index;
                    lost = false;
                }

                await foreach (var change in _store.WatchAsync(after, token).ConfigureAwait(false))
                {
                    after = change.Index;
                    Announce(change);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (RegistryHistoryLostException)
            {
                lost = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.FollowFailed(_logger, ex.Message);
            }

            try
            {
                await Task.Delay(s_retryDelay, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The event a change makes, if any; internal for tests.</summary>
    internal void Announce(RegistryEvent change)
    {
        var instance = change.Entry.Registration.Instance;
        var key = (instance.Service, instance.Id);
        string? type = null;
        string? message = null;
        switch (change.Kind)
        {
            case RegistryEventKind.Registered:
                _expired.Remove(key);
                type = PlatformEventTypes.RegistryRegistered;
                message = $"{instance.Address}:{instance.Port}";
                break;
            case RegistryEventKind.Deregistered:
                type = PlatformEventTypes.RegistryDeregistered;
                message = _expired.Remove(key) ? "removed after its TTL ran out" : null;
                break;
            case RegistryEventKind.Health or RegistryEventKind.Updated when change.Entry.Expired && _expired.Add(key):
                type = PlatformEventTypes.RegistryExpired;
                message = $"no heartbeat within its TTL ({change.Entry.Registration.Ttl})";
                break;
            case RegistryEventKind.Health or RegistryEventKind.Updated when !change.Entry.Expired:
                _expired.Remove(key);
                break;
        }

        if (type is not null)
        {
            _events.Publish(new PlatformEvent
            {
                Type = type,
                Service = instance.Service,
                Instance = instance.Id,
                Version = instance.Version,
                Message = message,
                Details = new Dictionary<string, object>(StringComparer.Ordinal) { ["index"] = change.Index },
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(9101, LogLevel.Warning, "The event stream lost the registry's watch: {Reason}; retrying")]
        public static partial void FollowFailed(ILogger logger, string reason);
    }
}
