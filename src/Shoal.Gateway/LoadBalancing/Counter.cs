namespace Shoal.Gateway.LoadBalancing;

/// <summary>A counter a policy advances per request.</summary>
internal sealed class Counter
{
    public int Value;

    public int Next() => (int)((uint)Interlocked.Increment(ref Value) - 1);
}
