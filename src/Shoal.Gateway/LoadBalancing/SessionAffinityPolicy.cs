using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Redis;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// Sticky sessions. With a header (default X-Session-Id) the gateway remembers which instance each session went to; with a
/// cookie it tells the client in a cookie of its own. A new session, or one whose instance is unhealthy or gone, is
/// balanced round robin and pinned there: it moves once and stays. With <c>store: redis</c> the header sessions' table is
/// kept in Redis too, so every gateway sharing it sends a session to the same instance; while Redis is away each gateway
/// goes on with its own table.
/// </summary>
internal sealed class SessionAffinityPolicy(TimeProvider time, RedisLinks? redis = null) : ILoadBalancingPolicy, IPreparesPick
{
    /// <summary>Where <see cref="PrepareAsync"/> leaves the instance id the shared table pins the request's session to.</summary>
    private static readonly object s_sharedPin = new();

    /// <summary>Pinned sessions kept per service; past it, idle ones are dropped first.</summary>
    internal const int MaxSessions = 100_000;

    private readonly PerCluster<State> _states = new();
    private readonly RoundRobinPolicy _fallback = new();

    public string Name => Strategies.Session;

    public bool KeepsAffinity => true;

    /// <summary>With a Redis table: reads (or writes) the session's pin there, offering this gateway's own choice for a new one.</summary>
    public async ValueTask PrepareAsync(HttpContext context, ClusterState cluster)
    {
        var settings = cluster.LoadBalancing;
        if (redis is null || settings.SessionStore != StoreKind.Redis || settings.SessionRedis is not { } reference || settings.SessionCookie is not null)
        {
            return;
        }

        var key = context.Request.Headers[settings.SessionHeader].FirstOrDefault();
        var available = cluster.Available;
        if (string.IsNullOrEmpty(key) || available.Length == 0)
        {
            return;
        }

        var candidate = LocalPin(cluster, key, available) ?? _fallback.PickDestination(context, cluster, available);
        if (candidate is not null && await RedisSessionTable.PinAsync(redis.For(reference), cluster.Service, key, candidate.Id, available, settings.SessionIdleTimeout).ConfigureAwait(false) is { } pinned)
        {
            context.Items[s_sharedPin] = pinned;
        }
    }

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var settings = cluster.LoadBalancing;
        var state = _states.For(cluster);
        var byKey = state.ByKey.Get(available, cluster, static (d, _) => Index(d));
        if (settings.SessionCookie is { } cookie)
        {
            if (context.Request.Cookies[cookie] is { } token && byKey.Tokens.TryGetValue(token, out var pinned))
            {
                return pinned;
            }

            var chosen = _fallback.PickDestination(context, cluster, available);
            if (chosen is not null)
            {
                context.Response.Headers.Append(HeaderNames.SetCookie, $"{cookie}={TokenOf(chosen)}; Path=/; HttpOnly; SameSite=Lax");
            }

            return chosen;
        }

        var key = context.Request.Headers[settings.SessionHeader].FirstOrDefault();
        if (string.IsNullOrEmpty(key))
        {
            return _fallback.PickDestination(context, cluster, available);
        }

        var now = time.GetTimestamp();
        if (context.Items.TryGetValue(s_sharedPin, out var shared) && shared is string sharedId && byKey.Ids.TryGetValue(sharedId, out var pinnedShared))
        {
            // The shared table decides; the local one follows it, for when Redis is away.
            state.Sessions[key] = new Pin(sharedId, now);
            return pinnedShared;
        }

        if (state.Sessions.TryGetValue(key, out var pin)
            && time.GetElapsedTime(Volatile.Read(ref pin.LastSeen), now) < settings.SessionIdleTimeout
            && byKey.Ids.TryGetValue(pin.DestinationId, out var current))
        {
            Volatile.Write(ref pin.LastSeen, now);
            return current;
        }

        var next = _fallback.PickDestination(context, cluster, available);
        if (next is not null)
        {
            state.Sessions[key] = new Pin(next.Id, now);
            if (state.Sessions.Count > MaxSessions)
            {
                state.Prune(time, settings.SessionIdleTimeout);
            }
        }

        return next;
    }

    /// <summary>
    /// A session stays on its version: a cookie pins the version of the instance it names (routable or not, so a session
    /// whose instance left keeps its version); a header session's version follows the hash of its id.
    /// </summary>
    public RequestAffinity GetAffinity(HttpContext context, ClusterState cluster)
    {
        var settings = cluster.LoadBalancing;
        if (settings.SessionCookie is { } cookie)
        {
            return context.Request.Cookies[cookie] is { } token
                && _states.For(cluster).AllByToken.Get(cluster.AllDestinations, cluster, static (d, _) => d.ToDictionary(TokenOf, StringComparer.Ordinal)).TryGetValue(token, out var pinned)
                ? new RequestAffinity(null, pinned)
                : default;
        }

        var header = context.Request.Headers[settings.SessionHeader];
        var key = header.Count > 0 ? header[0] : null;
        return string.IsNullOrEmpty(key) ? default : RequestAffinity.ByKey(HashRing.HashOf(key));
    }

    /// <summary>The instance this gateway's own table pins the session to, if it is still available and the pin not idle.</summary>
    private DestinationState? LocalPin(ClusterState cluster, string key, DestinationState[] available)
    {
        var state = _states.For(cluster);
        if (!state.Sessions.TryGetValue(key, out var pin) || time.GetElapsedTime(Volatile.Read(ref pin.LastSeen)) >= cluster.LoadBalancing.SessionIdleTimeout)
        {
            return null;
        }

        foreach (var destination in available)
        {
            if (destination.Id == pin.DestinationId)
            {
                return destination;
            }
        }

        return null;
    }

    /// <summary>A stable, opaque cookie value for an instance.</summary>
    internal static string TokenOf(DestinationState destination) =>
        HashRing.HashOf(destination.Id).ToString("x16", CultureInfo.InvariantCulture);

    private static Lookup Index(IReadOnlyList<DestinationState> destinations) => new(
        destinations.ToDictionary(d => d.Id, StringComparer.Ordinal),
        destinations.ToDictionary(TokenOf, StringComparer.Ordinal));

    private sealed record Lookup(Dictionary<string, DestinationState> Ids, Dictionary<string, DestinationState> Tokens);

    private sealed class Pin(string destinationId, long lastSeen)
    {
        public readonly string DestinationId = destinationId;
        public long LastSeen = lastSeen;
    }

    private sealed class State
    {
        private int _pruning;

        public ConcurrentDictionary<string, Pin> Sessions { get; } = new(StringComparer.Ordinal);

        public SnapshotCache<Lookup> ByKey { get; } = new();

        /// <summary>Every instance (not only the available ones) by cookie token.</summary>
        public SnapshotCache<Dictionary<string, DestinationState>> AllByToken { get; } = new();

        public void Prune(TimeProvider time, TimeSpan idle)
        {
            if (Interlocked.Exchange(ref _pruning, 1) == 1)
            {
                return;
            }

            try
            {
                var now = time.GetTimestamp();
                foreach (var (key, pin) in Sessions)
                {
                    if (time.GetElapsedTime(Volatile.Read(ref pin.LastSeen), now) >= idle)
                    {
                        Sessions.TryRemove(key, out _);
                    }
                }

                // Still full of live sessions: drop the least recently seen tenth rather than grow.
                if (Sessions.Count > MaxSessions)
                {
                    foreach (var (key, _) in Sessions.OrderBy(kv => Volatile.Read(ref kv.Value.LastSeen)).Take(MaxSessions / 10))
                    {
                        Sessions.TryRemove(key, out _);
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _pruning, 0);
            }
        }
    }
}
