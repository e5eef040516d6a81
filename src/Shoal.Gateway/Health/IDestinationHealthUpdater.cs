using Shoal.Gateway.Model;

namespace Shoal.Gateway.Health;

/// <summary>
/// Where the request path reports how each attempt at an instance went, once per outcome. The updater applies it to every
/// protection that reads it: the circuit breaker, passive health (outlier ejection), and the progress and latency stall
/// detection reads. The request path knows none of them.
/// </summary>
internal interface IDestinationHealthUpdater
{
    /// <summary>The instance sent response headers for an attempt sent at <paramref name="started"/>: it is making progress, and the latency counts toward the service's estimate.</summary>
    void OnAnswered(ClusterState cluster, DestinationState destination, long started);

    /// <summary>
    /// The instance answered an attempt sent at <paramref name="started"/> after another attempt of the same request had
    /// won (a hedge race's loser): it is making progress, and the latency counts toward its own mean, not toward the
    /// service's estimate (that is the latency clients get, which the hedging delay follows).
    /// </summary>
    void OnLateAnswer(DestinationState destination, long started);

    /// <summary>An attempt sent at <paramref name="started"/> was given up unanswered (the client left, it timed out, a hedge won): a stall sign once it is older than <paramref name="signalAge"/>.</summary>
    void OnUnanswered(DestinationState destination, long started, TimeSpan signalAge);

    /// <summary>The instance's answer was a success (below 500).</summary>
    void OnSucceeded(DestinationState destination);

    /// <summary>The attempt failed: a 5xx answer or a transport error; <paramref name="refused"/> when nothing listened (the instance never saw the request).</summary>
    void OnFailed(ClusterState cluster, DestinationState destination, bool refused, string reason);
}
