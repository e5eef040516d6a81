using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Resilience;

/// <summary>
/// A per-instance circuit breaker. Closed: requests flow, failures are counted (consecutive, and as a ratio over a window).
/// Open: the instance takes no requests for the break duration. Half-open: exactly one probe request decides whether it
/// closes again or reopens. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class CircuitBreaker
{
    private const int Closed = 0;
    private const int Open = 1;
    private const int HalfOpen = 2;

    private readonly TimeProvider _time;
    private readonly Action<CircuitBreaker> _changed;
    private readonly Lock _lock = new();
    private CircuitBreakerSettings _settings;
    private int _state;
    private int _probeTaken;
    private int _consecutive;
    private long _windowStart;
    private int _windowRequests;
    private int _windowFailures;
    private ITimer? _breakTimer;

    public CircuitBreaker(CircuitBreakerSettings settings, TimeProvider time, Action<CircuitBreaker> changed)
    {
        _settings = settings;
        _time = time;
        _changed = changed;
        _windowStart = time.GetTimestamp();
    }

    public CircuitState State => Volatile.Read(ref _state) switch
    {
        Open => CircuitState.Open,
        HalfOpen => CircuitState.HalfOpen,
        _ => CircuitState.Closed,
    };

    /// <summary>Takes new settings (live strategy or resilience changes keep the state).</summary>
    public void Configure(CircuitBreakerSettings settings) => Volatile.Write(ref _settings, settings);

    /// <summary>True when a request may go to the instance now; in half-open, only the first caller gets the probe.</summary>
    public bool TryAdmit() => Volatile.Read(ref _state) switch
    {
        Closed => true,
        HalfOpen => Interlocked.CompareExchange(ref _probeTaken, 1, 0) == 0,
        _ => false,
    };

    public void RecordSuccess()
    {
        var settings = Volatile.Read(ref _settings);
        if (!settings.Enabled)
        {
            return;
        }

        if (Volatile.Read(ref _consecutive) != 0)
        {
            Volatile.Write(ref _consecutive, 0);
        }

        if (settings.FailureRatio > 0)
        {
            CountInWindow(settings, failed: false);
        }

        if (Volatile.Read(ref _state) == HalfOpen)
        {
            lock (_lock)
            {
                if (_state == HalfOpen)
                {
                    ResetWindow();
                    _state = Closed;
                }
            }

            _changed(this);
        }
    }

    public void RecordFailure()
    {
        var settings = Volatile.Read(ref _settings);
        if (!settings.Enabled)
        {
            return;
        }

        var consecutive = Interlocked.Increment(ref _consecutive);
        var (requests, failures) = settings.FailureRatio > 0 ? CountInWindow(settings, failed: true) : (0, 0);
        var trip = Volatile.Read(ref _state) == HalfOpen
            || (settings.ConsecutiveFailures > 0 && consecutive >= settings.ConsecutiveFailures)
            || (settings.FailureRatio > 0 && requests >= settings.MinimumRequests && failures >= settings.FailureRatio * requests);
        if (trip)
        {
            TripOpen(settings);
        }
    }

    private void TripOpen(CircuitBreakerSettings settings)
    {
        lock (_lock)
        {
            if (_state == Open)
            {
                return;
            }

            _state = Open;
            Volatile.Write(ref _consecutive, 0);
            ResetWindow();
        }

        _changed(this);

        // A timer from the injected clock, so fake time moves the breaker deterministically.
        var timer = _time.CreateTimer(static s => ((CircuitBreaker)s!).EnterHalfOpen(), this, settings.BreakDuration, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _breakTimer, timer)?.Dispose();
    }

    private void EnterHalfOpen()
    {
        lock (_lock)
        {
            if (_state != Open)
            {
                return;
            }

            _probeTaken = 0;
            _state = HalfOpen;
        }

        _changed(this);
    }

    private (int Requests, int Failures) CountInWindow(CircuitBreakerSettings settings, bool failed)
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(Volatile.Read(ref _windowStart), now) > settings.Window)
        {
            lock (_lock)
            {
                if (_time.GetElapsedTime(_windowStart, now) > settings.Window)
                {
                    _windowStart = now;
                    _windowRequests = 0;
                    _windowFailures = 0;
                }
            }
        }

        var requests = Interlocked.Increment(ref _windowRequests);
        var failures = failed ? Interlocked.Increment(ref _windowFailures) : Volatile.Read(ref _windowFailures);
        return (requests, failures);
    }

    private void ResetWindow()
    {
        _windowStart = _time.GetTimestamp();
        _windowRequests = 0;
        _windowFailures = 0;
    }
}
