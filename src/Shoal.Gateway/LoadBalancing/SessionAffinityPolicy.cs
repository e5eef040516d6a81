using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.LoadBalancing;

/// <summary>
/// Sticky sessions. With a header (default X-Session-Id) the gateway remembers which instance each session went to; with a
/// cookie it tells the client in a cookie of its own. A new session, or one whose instance is unhealthy or gone, is
/// balanced round robin and pinned there: it moves once and stays.
/// </summary>
internal sealed class SessionAffinityPolicy(TimeProvider time) : ILoadBalancingPolicy
{
    /// <summary>Pinned sessions kept per service; past it, idle ones are dropped first.</summary>
    internal const int MaxSessions = 100_000;

    private readonly PerCluster<State> _states = new();
    private readonly RoundRobinPolicy _fallback = new();

    public string Name => Strategies.Session;

    public bool KeepsAffinity => true;

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
