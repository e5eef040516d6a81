namespace Shoal.Gateway.Model;

/// <summary>
/// Tells the stall detector that a request started while it sleeps. The detector sleeps while nothing is in flight (an
/// idle daemon should not wake ten times a second for nothing); the request path pays one volatile read per request, and
/// the first request after a quiet spell wakes it.
/// </summary>
/// <remarks>
/// Either side writes, then reads the other's word (a request counts itself in flight, then reads whether the detector
/// sleeps; the detector marks itself asleep, then reads the in-flight counts): with full fences on both writes at least
/// one of them sees the other, so a request never starts unseen by a detector that went to sleep at the same moment.
/// </remarks>
internal sealed class RequestActivity
{
    private int _asleep;
    private Action? _wake;

    /// <summary>What a request that finds the detector asleep runs (on the request's thread, once per sleep).</summary>
    public void OnWake(Action wake) => Volatile.Write(ref _wake, wake);

    /// <summary>Called by the request path once the request is counted in flight.</summary>
    public void OnRequestStarted()
    {
        if (Volatile.Read(ref _asleep) != 0 && Interlocked.Exchange(ref _asleep, 0) != 0)
        {
            Volatile.Read(ref _wake)?.Invoke();
        }
    }

    /// <summary>The detector goes to sleep; it then looks at the in-flight counts once more (see the remarks).</summary>
    public void Sleep() => Interlocked.Exchange(ref _asleep, 1);

    /// <summary>The detector is awake again; true when it was still marked asleep (no request woke it meanwhile).</summary>
    public bool Wake() => Interlocked.Exchange(ref _asleep, 0) != 0;
}
