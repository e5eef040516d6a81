namespace Shoal.Bench.Engine;

/// <summary>When request number i (from 0) should start, for a constant rate or a linear ramp.</summary>
internal sealed class OpenLoopSchedule(double rate, double rateTo, double durationSeconds)
{
    /// <summary>Seconds after the step start at which request <paramref name="index"/> is due.</summary>
    public double OffsetSeconds(long index)
    {
        if (rateTo == rate || durationSeconds <= 0)
        {
            return index / rate;
        }

        // Requests due by t: N(t) = r0 t + (r1 - r0) t² / 2D. Solve N(t) = index for t.
        var a = (rateTo - rate) / (2 * durationSeconds);
        var b = rate;
        var discriminant = (b * b) + (4 * a * index);
        return discriminant < 0 ? double.PositiveInfinity : (-b + Math.Sqrt(discriminant)) / (2 * a);
    }

    /// <summary>How many requests fall due in the first <paramref name="seconds"/> (those whose offset is below it).</summary>
    public long DueBefore(double seconds)
    {
        var due = rateTo == rate || durationSeconds <= 0
            ? rate * seconds
            : (rate * seconds) + ((rateTo - rate) * seconds * seconds / (2 * durationSeconds));

        // Indices 0 … ⌈due⌉ − 1 are due before; the tolerance keeps 20/s × 2 s at 40, not 41.
        return (long)Math.Ceiling(due - 1e-9);
    }
}
