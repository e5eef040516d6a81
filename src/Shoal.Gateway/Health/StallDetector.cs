using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Health;

/// <summary>
/// The gateway's own stall detection. Every 100 ms it re-derives each service's timings from the latency it observed (the
/// hedging delay, the stall threshold, the per-attempt timeout) and takes out of rotation an instance that has owed an
/// answer for longer than the threshold (frozen, deadlocked, paused) or whose answers over the last second are far slower
/// than its peers'. Such an instance is probed every <c>probe_interval</c> and comes back on its first answer, whatever its
/// status: a stall is about answering at all; failing answers are passive health's business. After a second with no
/// request in flight, no answer and no request left unanswered it sleeps (StallDetector.Sleep.cs).
/// </summary>
internal sealed partial class StallDetector(GatewayState state, InstanceProber prober, TimeProvider time, ILogger<StallDetector> logger) : IHostedService, IDisposable
{
    /// <summary>How often the detector looks.</summary>
    internal static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan s_minProbeTimeout = TimeSpan.FromMilliseconds(500);

    // Latency means are compared over 1 s; the service's latency windows turn over every 10 s.
    private const int TicksPerSlowCheck = 10;
    private const int TicksPerRotation = 100;
    private const int MinAnswersForMean = 5;

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _scanLock = new();
    private ITimer? _timer;
    private long _ticks;
    private bool _stopped;
    private bool _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_timerLock)
        {
            _timer = time.CreateTimer(static s => ((StallDetector)s!).Scan(), this, Tick, Tick);
        }

        state.Activity.OnWake(WakeUp);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops and lets go, once: the gateway's container disposes this one object twice (as the singleton and as the
    /// hosted service its factory returned), and cancelling a disposed token source throws.
    /// </summary>
    public void Dispose()
    {
        lock (_scanLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Stop();
            _stopping.Dispose();
        }
    }

    /// <summary>
    /// Ends the ticks and the probes. Under the scan lock: disposing a timer does not wait for a tick already running,
    /// so a tick may still come; it finds the detector stopped and does nothing.
    /// </summary>
    private void Stop()
    {
        lock (_scanLock)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            lock (_timerLock)
            {
                _timer?.Dispose();
                _timer = null;
            }

            _stopping.Cancel();
        }
    }

    /// <summary>One look at every service (the timer's tick; internal for tests).</summary>
    internal void Scan()
    {
        // A slow tick must not overlap the next one.
        if (!_scanLock.TryEnter())
        {
            return;
        }

        try
        {
            // Stopped: an ejection now would have no probe to bring the instance back.
            if (_stopped)
            {
                return;
            }

            var previous = _ticks;
            var tick = NextTick();
            var quiet = true;
            foreach (var cluster in state.Clusters)
            {
                try
                {
                    quiet &= ScanCluster(cluster, previous, tick);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Keep looking: one service's trouble must not blind the detector to the others.
                    Log.ScanFailed(logger, cluster.Service, ex);
                    quiet = false;
                }
            }

            Schedule(quiet && IsSlowCheck(previous, tick), tick);
        }
        finally
        {
            _scanLock.Exit();
        }
    }

    /// <summary>
    /// One look at a service's instances at tick <paramref name="tick"/> (the last was <paramref name="previous"/>); true
    /// when none of them has a request in flight, a request left unanswered or (at a slow check) an answer in the last second.
    /// </summary>
    private bool ScanCluster(ClusterState cluster, long previous, long tick)
    {
        // A sleep may have skipped turnovers: after two, both windows are empty, as they would be had the ticks come.
        for (var turn = Math.Min(2, (tick / TicksPerRotation) - (previous / TicksPerRotation)); turn > 0; turn--)
        {
            cluster.Latency.Rotate();
        }

        var timings = cluster.RefreshTimings();
        var settings = timings.Config.Resilience.StallDetection;
        var slowCheck = IsSlowCheck(previous, tick);
        var now = time.GetTimestamp();
        var quiet = true;
        List<(DestinationState Destination, TimeSpan Mean, long Count)>? means = slowCheck ? [] : null;
        foreach (var destination in cluster.AllDestinations)
        {
            var mean = slowCheck ? destination.Progress.TakeMeanLatency() : default;
            quiet &= mean.Count == 0 && destination.ConcurrentRequestCount == 0 && !destination.Progress.HasUnanswered;
            if (!settings.Enabled || !destination.Instance.IsRoutable || destination.IsEjected)
            {
                continue;
            }

            var inFlight = destination.ConcurrentRequestCount;
            var owed = destination.Progress.OwedFor(time, now, inFlight);
            var threshold = ThresholdFor(destination, timings.StallThreshold, settings);
            if (owed > threshold)
            {
                Eject(cluster, destination, string.Create(CultureInfo.InvariantCulture, $"no answer for {owed.TotalMilliseconds:0} ms with {inFlight} requests in flight (stall threshold {threshold.TotalMilliseconds:0} ms)"));
                continue;
            }

            means?.Add((destination, mean.Mean, mean.Count));
        }

        if (means is null || settings.SlowRatio <= 0)
        {
            return quiet;
        }

        foreach (var (destination, mean, count) in means)
        {
            if (count < MinAnswersForMean)
            {
                continue;
            }

            // Peers are instances of the same version: versions may differ in speed by design.
            var peers = means
                .Where(m => !ReferenceEquals(m.Destination, destination) && m.Count >= MinAnswersForMean && m.Destination.Instance.Version == destination.Instance.Version)
                .Select(m => m.Mean)
                .ToList();
            if (IsSlow(mean, peers, settings, out var median))
            {
                Eject(cluster, destination, string.Create(CultureInfo.InvariantCulture, $"mean latency {mean.TotalMilliseconds:0} ms over the last second, {settings.SlowRatio}× above its peers' median {median.TotalMilliseconds:0.0} ms"));
            }
        }

        return quiet;
    }

    /// <summary>
    /// The auto threshold is also at least the multiple of the instance's own usual latency: an instance that is slow by
    /// design (a canary under analysis, a bigger job) is judged by what is normal for it, not by its faster peers.
    /// </summary>
    internal static TimeSpan ThresholdFor(DestinationState destination, TimeSpan serviceThreshold, StallDetectionSettings settings)
    {
        if (settings.Threshold is not null)
        {
            return serviceThreshold;
        }

        var own = destination.Progress.Typical * settings.Multiplier;
        return own > serviceThreshold ? own : serviceThreshold;
    }

    /// <summary>True when <paramref name="mean"/> is above the floor and <c>slow_ratio</c> times the median of <paramref name="peers"/> (at least one).</summary>
    internal static bool IsSlow(TimeSpan mean, List<TimeSpan> peers, StallDetectionSettings settings, out TimeSpan median)
    {
        median = TimeSpan.Zero;
        if (peers.Count == 0 || mean <= settings.MinThreshold)
        {
            return false;
        }

        peers.Sort();
        median = peers.Count % 2 == 1 ? peers[peers.Count / 2] : (peers[(peers.Count / 2) - 1] + peers[peers.Count / 2]) / 2;
        return mean > median * settings.SlowRatio;
    }

    private void Eject(ClusterState cluster, DestinationState destination, string reason)
    {
        if (!PassiveHealthMonitor.MayEject(cluster, cluster.Config.Resilience.Outliers.MaxEjectionPercent) || !destination.TryEject())
        {
            return;
        }

        Log.Stalled(logger, cluster.Service, destination.Id, reason);
        state.Events.Publish(EjectionEvent.Of(cluster.Service, destination, reason));
        state.Rebuild();
        _ = ProbeUntilAnsweringAsync(cluster, destination);
    }

    private async Task ProbeUntilAnsweringAsync(ClusterState cluster, DestinationState destination)
    {
        // Taken now, under the scan lock while the source is alive: its Token property throws once it is disposed.
        var stopping = _stopping.Token;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var interval = cluster.Config.Resilience.StallDetection.ProbeInterval;
                await Task.Delay(interval, time, stopping).ConfigureAwait(false);

                // Replaced (restarted) or removed, or readmitted by passive health: this story is over.
                if (!ReferenceEquals(state.FindDestination(cluster.Service, destination.Id), destination) || !destination.IsEjected)
                {
                    return;
                }

                // Any answer, whatever its status, within the interval (at least 500 ms).
                var timeout = interval > s_minProbeTimeout ? interval : s_minProbeTimeout;
                if (await prober.AnswersAsync(destination.Instance, timeout, stopping).ConfigureAwait(false))
                {
                    destination.Progress.Reset(time.GetTimestamp());
                    destination.Readmit();
                    Log.Answering(logger, cluster.Service, destination.Id);
                    state.Rebuild();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Warning, "{Service}/{InstanceId} stalled, out of rotation: {Reason}")]
        public static partial void Stalled(ILogger logger, string service, string instanceId, string reason);

        [LoggerMessage(2202, LogLevel.Information, "{Service}/{InstanceId} answers again, back in rotation")]
        public static partial void Answering(ILogger logger, string service, string instanceId);

        [LoggerMessage(2203, LogLevel.Error, "Stall detection failed for {Service}")]
        public static partial void ScanFailed(ILogger logger, string service, Exception exception);
    }
}
