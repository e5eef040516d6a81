namespace Shoal.Delivery.Tests.Fakes;

/// <summary>Replicas in memory: every call is written down in order (e.g. <c>scale 2 x1</c>, <c>scale-stable 2</c>).</summary>
internal sealed class FakeRunningVersions(Action changed) : IRunningVersions
{
    private readonly Lock _lock = new();
    private readonly List<string> _operations = [];
    private readonly Dictionary<string, int> _versions = new(StringComparer.Ordinal);

    public string? Stable { get; set; } = "1";

    public int StableCount { get; set; } = 3;

    /// <summary>False: new replicas never turn healthy (the wait lasts until cancelled).</summary>
    public bool Healthy { get; set; } = true;

    public IReadOnlyList<string> Operations
    {
        get
        {
            lock (_lock)
            {
                return [.. _operations];
            }
        }
    }

    public string? StableVersion(string service) => service == "app" ? Stable : null;

    public int StableReplicas(string service) => StableCount;

    public Task ScaleStableAsync(string service, int replicas, CancellationToken cancellationToken)
    {
        StableCount = replicas;
        Record($"scale-stable {replicas}");
        return Task.CompletedTask;
    }

    public Task WaitStableSettledAsync(string service, CancellationToken cancellationToken)
    {
        Record("wait-stable");
        return Task.CompletedTask;
    }

    public Task StartAsync(string service, string version, IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> environment, int replicas, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _versions[version] = replicas;
        }

        Record($"start {version} x{replicas}");
        return Task.CompletedTask;
    }

    public Task ScaleAsync(string service, string version, int replicas, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _versions[version] = replicas;
        }

        Record($"scale {version} x{replicas}");
        return Task.CompletedTask;
    }

    public async Task<bool> WaitHealthyAsync(string service, string version, CancellationToken cancellationToken)
    {
        Record($"wait {version}");
        if (!Healthy)
        {
            await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
        }

        return true;
    }

    public Task PromoteAsync(string service, string version, CancellationToken cancellationToken)
    {
        Stable = version;
        Record($"promote {version}");
        return Task.CompletedTask;
    }

    public Task StopAsync(string service, string version, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _versions.Remove(version);
        }

        Record($"stop {version}");
        return Task.CompletedTask;
    }

    private void Record(string operation)
    {
        lock (_lock)
        {
            _operations.Add(operation);
        }

        changed();
    }
}
