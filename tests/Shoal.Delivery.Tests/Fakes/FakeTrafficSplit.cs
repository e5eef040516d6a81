namespace Shoal.Delivery.Tests.Fakes;

/// <summary>A split in memory, with per-version totals a test adds to; every replica is routable at once.</summary>
internal sealed class FakeTrafficSplit(Action changed) : ITrafficSplit
{
    private static readonly double[] s_bounds = [1, 10, 100, 1000, 10_000];
    private readonly Lock _lock = new();
    private readonly List<VersionSplit?> _history = [];
    private readonly Dictionary<string, VersionOutcomes> _outcomes = new(StringComparer.Ordinal);

    public bool Routing { get; set; } = true;

    /// <summary>Every split set, in order (null: the split ended).</summary>
    public IReadOnlyList<VersionSplit?> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    public VersionSplit? Current
    {
        get
        {
            lock (_lock)
            {
                return _history.Count == 0 ? null : _history[^1];
            }
        }
    }

    public bool Routes(string service) => Routing && service == "app";

    public void Set(string service, VersionSplit? split)
    {
        lock (_lock)
        {
            _history.Add(split);
        }

        changed();
    }

    public VersionOutcomes Outcomes(string service, string version)
    {
        lock (_lock)
        {
            return _outcomes.GetValueOrDefault(version) ?? new VersionOutcomes(0, 0, [.. s_bounds.Select(b => new LatencyBucket(b, 0))]);
        }
    }

    public int RoutableReplicas(string service, string version) => int.MaxValue;

    /// <summary>Counts <paramref name="requests"/> answers of <paramref name="version"/>, <paramref name="errors"/> of them 5xx, each taking <paramref name="milliseconds"/>.</summary>
    public void Record(string version, int requests, int errors = 0, double milliseconds = 5)
    {
        lock (_lock)
        {
            var now = Outcomes("app", version);
            var bucket = Array.FindIndex(s_bounds, b => milliseconds <= b);
            var latency = now.Latency.Select((b, i) => i == bucket ? b with { Count = b.Count + requests } : b).ToArray();
            _outcomes[version] = new VersionOutcomes(now.Requests + requests, now.Errors + errors, latency);
        }
    }
}
