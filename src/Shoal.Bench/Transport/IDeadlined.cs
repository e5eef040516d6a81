namespace Shoal.Bench.Transport;

/// <summary>A connection whose current request has a deadline.</summary>
internal interface IDeadlined
{
    /// <summary>The timestamp the current request must finish by; 0 when idle.</summary>
    long Deadline { get; }

    /// <summary>Aborts the current request as timed out, if its deadline is still <paramref name="deadline"/>.</summary>
    void Expire(long deadline);
}
