using Shoal.Bench.Transport;

namespace Shoal.Bench.Engine;

/// <summary>One worker's counts. Only its worker writes (plain increments, published by volatile writes); the reporter reads the totals through volatile reads.</summary>
internal sealed class Tally
{
    private long _completed;
    private long _errors;

    public long[] Status { get; } = new long[600];

    public long[] ErrorKinds { get; } = new long[Enum.GetValues<ErrorKind>().Length];

    public Dictionary<string, long> Distribution { get; } = new(StringComparer.Ordinal);

    public long Completed => Volatile.Read(ref _completed);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Counts an answered request; true when it succeeded (its latency then belongs in the histogram).</summary>
    public bool Success(BenchResponse response)
    {
        var ok = response.Status < 400;
        if (ok)
        {
            Volatile.Write(ref _completed, _completed + 1);
        }
        else
        {
            Error(ErrorKind.Status);
        }

        if ((uint)response.Status < Status.Length)
        {
            Status[response.Status]++;
        }

        if (response.CountKey is { } key)
        {
            Distribution[key] = Distribution.GetValueOrDefault(key) + 1;
        }

        return ok;
    }

    public void Error(ErrorKind kind)
    {
        ErrorKinds[(int)kind]++;
        Volatile.Write(ref _errors, _errors + 1);
        Volatile.Write(ref _completed, _completed + 1);
    }
}
