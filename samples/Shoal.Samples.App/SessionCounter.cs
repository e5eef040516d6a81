using System.Collections.Concurrent;

namespace Shoal.Samples.App;

/// <summary>Counts the requests of each session this replica served, keeping at most <see cref="MaxSessions"/> sessions.</summary>
public sealed class SessionCounter
{
    private const int MaxSessions = 10_000;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    public int Increment(string sessionId)
    {
        // A bounded map: a load test with millions of session ids must not grow the replica without end.
        if (_seen.Count >= MaxSessions && !_seen.ContainsKey(sessionId))
        {
            _seen.Clear();
        }

        return _seen.AddOrUpdate(sessionId, 1, static (_, n) => n + 1);
    }
}
