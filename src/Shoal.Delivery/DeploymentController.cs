using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Gateway.Model;
using Shoal.Registry;
using Shoal.Orchestration.Lifecycle;
using Shoal.Text;
using Shoal.Utilities;

namespace Shoal.Delivery;

/// <summary>
/// Runs deployments: starts a new version next to the stable one, moves traffic to it step by step through the
/// gateway's version split, judges each step against the stable version, and promotes or rolls back — by itself or
/// when told. One deployment per service at a time; every operation is recorded with its time, actor and reason.
/// </summary>
public sealed partial class DeploymentController : IAsyncDisposable
{
    private readonly StackSupervisor _supervisor;
    private readonly Func<string, ClusterState?> _clusters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    private const string DocumentPrefix = "deployments/";
    private readonly IRegistryStore _store;
    private readonly Channel<(string Service, string Json)> _saves = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _saver;

    /// <summary>Creates a controller over the stack's supervisor and the gateway's services; state is kept in <paramref name="store"/>.</summary>
    public DeploymentController(StackSupervisor supervisor, Func<string, ClusterState?> clusters, IRegistryStore store, TimeProvider timeProvider, ILogger logger)
    {
        _supervisor = supervisor;
        _clusters = clusters;
        _store = store;
        _time = timeProvider;
        _logger = logger;
        _saver = SaveLoopAsync();
    }

    /// <summary>The JSON a deployment is stored as.</summary>
    internal static JsonSerializerOptions StoredJson { get; } = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The last deployment of every service, as stored (for the daemon to run promoted versions after a restart).</summary>
    public static async Task<IReadOnlyList<StoredDeployment>> LoadAsync(IRegistryStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var documents = await store.ReadDocumentsAsync(DocumentPrefix, cancellationToken).ConfigureAwait(false);
        return documents.Values.Select(json => JsonSerializer.Deserialize<StoredDeployment>(json, StoredJson)!).ToList();
    }

    /// <summary>
    /// Takes up the deployments a previous run left in progress: their new version is started again and the canary
    /// resumes at its step (a paused one stays held), a blue/green keeps its phase; finished ones are history.
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in await LoadAsync(_store, cancellationToken).ConfigureAwait(false))
        {
            if (_clusters(stored.Service) is not { } cluster || _supervisor.VersionOf(stored.Service) is null)
            {
                continue;
            }

            lock (_lock)
            {
                var d = Deployment.From(stored, cluster);
                d.Changed = Persist;
                _deployments[stored.Service] = d;
                if (d.IsActive)
                {
                    d.Add(_time, "controller", "restore", "the gateway restarted; starting the new version again");
                    d.Run = Task.Run(() => RunAsync(d, _stopping.Token, resuming: true));
                }
            }
        }
    }

    /// <summary>How long a new version may take to become healthy.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A service's <c>deploy:</c> defaults from the stack file.</summary>
    public Shoal.Orchestration.Stack.DeploymentDefaults DefaultsFor(string service) => _supervisor.Definition(service)?.Deploy ?? new();

    /// <summary>Null when a caller with <paramref name="role"/> may run <paramref name="request"/> on <paramref name="service"/> (see <see cref="DeploymentPermission"/>), else why not; an unknown service is left to <see cref="Start"/> to report.</summary>
    public string? Refusal(string service, DeploymentRequest request, Shoal.Http.AdminRole role) =>
        _supervisor.Definition(service) is { } definition && _supervisor.CommandOf(service) is { } command
            ? DeploymentPermission.Refusal(role, definition, command, request)
            : null;

    /// <summary>The current or last deployment of a service.</summary>
    public DeploymentStatus? Status(string service)
    {
        lock (_lock)
        {
            return _deployments.TryGetValue(service, out var d) ? d.Describe() : null;
        }
    }

    /// <summary>Starts a deployment; it proceeds in the background.</summary>
    public DeploymentStatus Start(string service, DeploymentRequest request, string actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cluster = _clusters(service) ?? throw new DeploymentException(404, $"The gateway routes no service '{service}'.");
        var stable = _supervisor.VersionOf(service) ?? throw new DeploymentException(404, $"Service '{service}' has no replicas this stack runs; deploy its versions by registering them.");
        Validate(request, stable);
        lock (_lock)
        {
            if (_deployments.TryGetValue(service, out var current) && current.IsActive)
            {
                throw new DeploymentException(409, $"A {current.Request.Type} of '{service}' to {current.Request.Version} is {Words(current.Phase)}; promote or roll it back first.");
            }

            var deployment = new Deployment(service, stable, request, cluster, _time.GetUtcNow()) { Changed = Persist };
            deployment.Add(_time, actor, "start", $"{request.Type} to {request.Version}");
            _deployments[service] = deployment;
            deployment.Run = Task.Run(() => RunAsync(deployment, _stopping.Token));
            return deployment.Describe();
        }
    }

    /// <summary>Applies an operation: <c>promote</c>, <c>rollback</c> (or <c>abort</c>), <c>pause</c>, <c>resume</c>, <c>switch</c>.</summary>
    public async Task<DeploymentStatus> ApplyAsync(string service, string action, string actor, string? reason, CancellationToken cancellationToken)
    {
        Deployment deployment;
        lock (_lock)
        {
            if (!_deployments.TryGetValue(service, out var d) || !d.IsActive)
            {
                throw new DeploymentException(409, $"No deployment of '{service}' is in progress to {action}.");
            }

            deployment = d;
        }

        switch (action)
        {
            case "promote":
                await PromoteAsync(deployment, actor, reason ?? "promoted by hand", cancellationToken).ConfigureAwait(false);
                break;
            case "rollback" or "abort":
                await RollBackAsync(deployment, actor, reason ?? "rolled back by hand", cancellationToken).ConfigureAwait(false);
                break;
            case "pause" or "resume":
                lock (_lock)
                {
                    if (deployment.Request.Type == "blue-green" || deployment.Phase is not (DeploymentPhase.Progressing or DeploymentPhase.Paused))
                    {
                        throw new DeploymentException(409, $"Only a progressing canary or rolling update can be {action}d; this one is a {deployment.Request.Type}, {Words(deployment.Phase)}.");
                    }

                    deployment.Phase = action == "pause" ? DeploymentPhase.Paused : DeploymentPhase.Progressing;
                    deployment.Add(_time, actor, action, reason);
                    deployment.Wake();
                }

                break;
            case "switch":
                lock (_lock)
                {
                    if (deployment.Request.Type != "blue-green" || deployment.Phase != DeploymentPhase.Ready)
                    {
                        throw new DeploymentException(409, $"Only a blue/green deployment that is ready can switch; this one is a {deployment.Request.Type}, {Words(deployment.Phase)}.");
                    }

                    SetWeight(deployment, 100);
                    deployment.Phase = DeploymentPhase.Switched;
                    deployment.SwitchedAt = _time.GetUtcNow();
                    deployment.Add(_time, actor, "switch", reason);
                    deployment.Wake();
                }

                break;
            default:
                throw new DeploymentException(400, $"'{action}' is not an operation: use promote, rollback, abort, pause, resume or switch.");
        }

        return Status(service)!;
    }

    /// <summary>Queues the deployment's state for the store; called under the lock, written in order by one loop.</summary>
    private void Persist(Deployment d) => _saves.Writer.TryWrite((d.Service, JsonSerializer.Serialize(d.Store(), StoredJson)));

    private async Task SaveLoopAsync()
    {
        await foreach (var (service, json) in _saves.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _store.PutDocumentAsync(DocumentPrefix + service, json, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SaveFailed(_logger, service, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        List<Task> runs;
        lock (_lock)
        {
            runs = _deployments.Values.Select(d => d.Run).OfType<Task>().ToList();
        }

        foreach (var run in runs)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _saves.Writer.TryComplete();
        await _saver.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static void Validate(DeploymentRequest request, string stable)
    {
        if (request.Type is not ("canary" or "blue-green" or "rolling"))
        {
            throw new DeploymentException(400, $"type: '{request.Type}' is not canary, blue-green or rolling.");
        }

        if (request.MaxSurge is < 0 or > 64 || request.MaxUnavailable is < 0 or > 64 || request.MaxSurge + request.MaxUnavailable < 1)
        {
            throw new DeploymentException(400, $"max_surge ({request.MaxSurge}) and max_unavailable ({request.MaxUnavailable}) go from 0 to 64 and cannot both be 0.");
        }

        if (string.IsNullOrWhiteSpace(request.Version) || request.Version.Length > 64)
        {
            throw new DeploymentException(400, "version: give the new version (1 to 64 characters).");
        }

        if (request.Version == stable)
        {
            throw new DeploymentException(400, $"version: {request.Version} is already the stable version.");
        }

        if (request.Steps.Count == 0 || request.Steps.Any(w => w is < 0 or > 100) || request.Steps.Zip(request.Steps.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw new DeploymentException(400, $"steps: [{string.Join(", ", request.Steps)}] must be ascending weights from 0 to 100.");
        }

        if (request.Replicas is < 1 or > 64)
        {
            throw new DeploymentException(400, $"replicas: {request.Replicas} is out of range; use 1 to 64.");
        }

        if (request.Interval < TimeSpan.FromMilliseconds(100) || request.Analysis.MaxErrorRate is < 0 or > 1 || request.Analysis.MinRequests < 0)
        {
            throw new DeploymentException(400, "interval must be at least 100ms, max_error_rate from 0 to 1 and min_requests not negative.");
        }
    }

    private async Task RunAsync(Deployment d, CancellationToken stopping, bool resuming = false)
    {
        try
        {
            var stableCount = _supervisor.ServiceSnapshot(d.Service)!.Desired;
            d.StableReplicas = stableCount;
            var resumeAt = d.Phase;
            if (d.Request.Type == "rolling")
            {
                await RollAsync(d, stableCount, stopping).ConfigureAwait(false);
                return;
            }

            var replicas = d.Request.Replicas ?? (d.Request.Type == "blue-green" ? stableCount : 1);
            await _supervisor.StartVersionAsync(d.Service, d.Request.Version, d.Request.Command, d.Request.Environment, replicas, stopping).ConfigureAwait(false);
            if (!await WaitHealthyAsync(d, stopping).ConfigureAwait(false))
            {
                await TryRollBackAsync(d, "controller", $"version {d.Request.Version} did not become healthy within {Durations.Format(StartTimeout)}", stopping).ConfigureAwait(false);
                return;
            }

            await WaitRoutableAsync(d, replicas, stopping).ConfigureAwait(false);
            lock (_lock)
            {
                if (!d.IsActive)
                {
                    return;
                }

                if (d.Request.Type == "canary")
                {
                    d.Phase = resuming && resumeAt == DeploymentPhase.Paused ? DeploymentPhase.Paused : DeploymentPhase.Progressing;
                    SetWeight(d, d.Request.Steps[Math.Clamp(d.Step, 0, d.Request.Steps.Count - 1)]);
                    d.Add(_time, "controller", resuming ? "resume" : "step", $"weight {d.Weight}%");
                }
                else
                {
                    var switched = resuming && resumeAt == DeploymentPhase.Switched;
                    d.Phase = switched ? DeploymentPhase.Switched : DeploymentPhase.Ready;
                    SetWeight(d, switched ? 100 : 0);
                    d.Add(_time, "controller", resuming ? "resume" : "ready", switched ? "all traffic on the new version" : "new version healthy with no traffic; preview with the header");
                }

                d.Baseline();
            }

            if (d.Request.Type == "canary")
            {
                await ProgressAsync(d, stopping).ConfigureAwait(false);
            }
            else
            {
                await KeepOldThenFinishAsync(d, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The stack is stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Failed(_logger, d.Service, ex.Message);
            await TryRollBackAsync(d, "controller", $"the deployment failed: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Rolls back unless an operator already finished the deployment.</summary>
    private async Task TryRollBackAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await RollBackAsync(d, actor, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (DeploymentException)
        {
            // Promoted or rolled back meanwhile.
        }
    }

    /// <summary>
    /// Replaces the stable replicas a batch at a time: new ones start and must turn healthy before the old ones they
    /// replace drain and stop — all but <c>max_unavailable</c> of them, which may go first — so the service never has
    /// fewer than its count minus <c>max_unavailable</c> healthy replicas.
    /// </summary>
    private async Task RollAsync(Deployment d, int count, CancellationToken stopping)
    {
        await _supervisor.StartVersionAsync(d.Service, d.Request.Version, d.Request.Command, d.Request.Environment, 0, stopping).ConfigureAwait(false);
        lock (_lock)
        {
            d.Phase = DeploymentPhase.Progressing;
        }

        var replaced = 0;
        while (replaced < count)
        {
            var woken = d.Woken;
            lock (_lock)
            {
                if (!d.IsActive)
                {
                    return;
                }
            }

            if (d.Phase == DeploymentPhase.Paused)
            {
                await Deployment.WaitAsync(woken, TimeSpan.FromMinutes(1), _time, stopping).ConfigureAwait(false);
                continue;
            }

            // A batch of surge + unavailable replicas: the unavailable share of old ones drains first, the new ones
            // start, and the rest of the old ones go once every new one is healthy.
            var batch = Math.Min(count - replaced, d.Request.MaxSurge + d.Request.MaxUnavailable);
            var next = replaced + batch;
            var early = Math.Min(d.Request.MaxUnavailable, batch);
            if (early > 0)
            {
                await _supervisor.ScaleAsync(d.Service, count - replaced - early, stopping).ConfigureAwait(false);
            }

            await _supervisor.ScaleVersionAsync(d.Service, d.Request.Version, next, stopping).ConfigureAwait(false);
            if (!await WaitHealthyAsync(d, stopping).ConfigureAwait(false))
            {
                await TryRollBackAsync(d, "controller", $"new replicas of {d.Request.Version} did not become healthy within {Durations.Format(StartTimeout)}", stopping).ConfigureAwait(false);
                return;
            }

            await _supervisor.ScaleAsync(d.Service, count - next, stopping).ConfigureAwait(false);
            replaced = next;
            lock (_lock)
            {
                d.Step = replaced;
                d.Weight = replaced * 100 / count;
                d.Add(_time, "controller", "step", $"{replaced} of {count} replicas replaced");
            }
        }

        try
        {
            await PromoteAsync(d, "controller", "every replica replaced", stopping).ConfigureAwait(false);
        }
        catch (DeploymentException)
        {
            // Rolled back by hand meanwhile.
        }
    }

    /// <summary>
    /// Waits (briefly) until the gateway itself routes to the new version's replicas, which follows the supervisor's
    /// view by one catalog round trip, so no request meant for the new version falls back to the stable one.
    /// </summary>
    private async Task WaitRoutableAsync(Deployment d, int replicas, CancellationToken stopping)
    {
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (d.Cluster.AllDestinations.Count(x => x.Instance.Version == d.Request.Version && x.Instance.IsRoutable) < replicas && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, stopping).ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitHealthyAsync(Deployment d, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(StartTimeout);
        try
        {
            await _supervisor.WaitUntilAsync(
                () => _supervisor.VersionSnapshot(d.Service, d.Request.Version) is not { IsHealthy: false, Failure: null },
                deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }

        return _supervisor.VersionSnapshot(d.Service, d.Request.Version) is { IsHealthy: true };
    }

    private async Task ProgressAsync(Deployment d, CancellationToken stopping)
    {
        while (true)
        {
            await Deployment.WaitAsync(d.Woken, d.Request.Interval, _time, stopping).ConfigureAwait(false);
            string? breach;
            lock (_lock)
            {
                if (!d.IsActive)
                {
                    return;
                }

                if (d.Phase == DeploymentPhase.Paused)
                {
                    continue;
                }

                var (canary, stable) = d.Window();
                breach = Judge(d.Request.Analysis, canary, stable);
                if (breach is null && canary.Requests < d.Request.Analysis.MinRequests)
                {
                    d.Add(_time, "analysis", "hold", $"{canary.Requests} canary requests in the window, fewer than {d.Request.Analysis.MinRequests}");
                    d.Baseline();
                    continue;
                }

                if (breach is null)
                {
                    var next = d.Step + 1;
                    if (next >= d.Request.Steps.Count)
                    {
                        if (d.Weight < 100)
                        {
                            // A single weight below 100 holds there until promoted or rolled back by hand.
                            d.Baseline();
                            continue;
                        }
                    }
                    else
                    {
                        d.Step = next;
                        SetWeight(d, d.Request.Steps[next]);
                        d.Add(_time, "analysis", "step", $"weight {d.Weight}% (canary {Describe(canary)}; stable {Describe(stable)})");
                        d.Baseline();
                        continue;
                    }
                }
            }

            if (breach is not null)
            {
                await TryRollBackAsync(d, "analysis", breach, stopping).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await PromoteAsync(d, "analysis", "every step passed", stopping).ConfigureAwait(false);
                }
                catch (DeploymentException)
                {
                    // Rolled back by hand meanwhile.
                }
            }

            return;
        }
    }

    /// <summary>The reason a canary window fails, or null.</summary>
    internal static string? Judge(AnalysisThresholds limits, VersionWindow canary, VersionWindow stable)
    {
        if (canary.Requests < Math.Max(1, limits.MinRequests))
        {
            return null;
        }

        if (canary.ErrorRate > limits.MaxErrorRate && canary.ErrorRate > stable.ErrorRate)
        {
            return $"error rate {canary.ErrorRate:P1} over {canary.Requests} requests is above {limits.MaxErrorRate:P1} (stable {stable.ErrorRate:P1})";
        }

        var p99 = VersionStats.Quantile(canary, 0.99);
        if (limits.MaxP99 is { } max && p99 > max.TotalMilliseconds && p99 > VersionStats.Quantile(stable, 0.99))
        {
            return $"p99 {p99:0.#} ms over {canary.Requests} requests is above {max.TotalMilliseconds:0.#} ms (stable {VersionStats.Quantile(stable, 0.99):0.#} ms)";
        }

        return null;
    }

    private async Task KeepOldThenFinishAsync(Deployment d, CancellationToken stopping)
    {
        while (true)
        {
            var woken = d.Woken;
            DateTimeOffset? switched;
            lock (_lock)
            {
                if (!d.IsActive)
                {
                    return;
                }

                switched = d.SwitchedAt;
            }

            if (switched is { } at && _time.GetUtcNow() - at >= d.Request.KeepOld)
            {
                try
                {
                    await PromoteAsync(d, "controller", $"the old version was kept warm for {Durations.Format(d.Request.KeepOld)}", stopping).ConfigureAwait(false);
                }
                catch (DeploymentException)
                {
                    // Rolled back by hand meanwhile.
                }

                return;
            }

            var wait = switched is { } s ? d.Request.KeepOld - (_time.GetUtcNow() - s) : TimeSpan.FromMinutes(10);
            await Deployment.WaitAsync(woken, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>All traffic to the new version; the old replicas drain, then stop, and the split goes away.</summary>
    private Task PromoteAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken) =>
        FinishAsync(d, 100, DeploymentPhase.Promoted, "promote", actor, reason, () => _supervisor.PromoteVersionAsync(d.Service, d.Request.Version, cancellationToken));

    /// <summary>All traffic back to the stable version at once; the new version's replicas drain, then stop.</summary>
    private Task RollBackAsync(Deployment d, string actor, string reason, CancellationToken cancellationToken) =>
        FinishAsync(d, 0, DeploymentPhase.RolledBack, "rollback", actor, reason, async () =>
        {
            if (d.Request.Type == "rolling")
            {
                // Old replicas come back (health-gated) before the new ones leave.
                await _supervisor.ScaleAsync(d.Service, d.StableReplicas, cancellationToken).ConfigureAwait(false);
                await _supervisor.WaitUntilAsync(
                    () => _supervisor.ServiceSnapshot(d.Service) is not { IsHealthy: false, Failure: null },
                    cancellationToken).ConfigureAwait(false);
            }

            await _supervisor.StopVersionAsync(d.Service, d.Request.Version, cancellationToken).ConfigureAwait(false);
        });

    private async Task FinishAsync(Deployment d, int weight, DeploymentPhase phase, string action, string actor, string reason, Func<Task> replicas)
    {
        lock (_lock)
        {
            if (!d.IsActive || (phase == DeploymentPhase.Promoted && d.Phase == DeploymentPhase.Starting))
            {
                throw new DeploymentException(409, $"The deployment of '{d.Service}' is {(d.Finishing ? "finishing" : Words(d.Phase))}; it cannot {action} now.");
            }

            d.Finishing = true;
            SetWeight(d, weight);
            if (phase == DeploymentPhase.RolledBack)
            {
                d.Reason = reason;
            }
        }

        await replicas().ConfigureAwait(false);
        lock (_lock)
        {
            d.Cluster.Split = null;
            d.Phase = phase;
            d.Add(_time, actor, action, reason);
            d.Wake();
        }

        Log.Finished(_logger, d.Service, action, d.Request.Version, reason);
    }

    private static void SetWeight(Deployment d, int weight)
    {
        d.Weight = weight;
        if (d.Request.Type != "rolling")
        {
            // A rolling update shares traffic by replica count; the others split by weight.
            d.Cluster.Split = new TrafficSplit(d.Stable, d.Request.Version, weight, d.Request.Header, d.Request.HeaderValue);
        }
    }

    private static string Describe(VersionWindow w) => $"{w.Requests} requests, {w.ErrorRate:P1} errors, p99 {VersionStats.Quantile(w, 0.99):0.#} ms";

    private static string Words(DeploymentPhase phase) => phase switch
    {
        DeploymentPhase.RolledBack => "rolled back",
        _ => phase.ToString().ToLowerInvariant(),
    };

    /// <summary>One deployment's state; guarded by the controller's lock.</summary>
    private sealed class Deployment(string service, string stable, DeploymentRequest request, ClusterState cluster, DateTimeOffset startedAt)
    {
        private readonly List<DeploymentRecord> _history = [];
        private VersionWindow? _canaryBase;
        private VersionWindow? _stableBase;
        private readonly ChangeSignal _wake = new();

        public string Service { get; } = service;

        public string Stable { get; } = stable;

        public DeploymentRequest Request { get; } = request;

        public ClusterState Cluster { get; } = cluster;

        public DeploymentPhase Phase { get; set; } = DeploymentPhase.Starting;

        public int Weight { get; set; }

        public int Step { get; set; }

        public string? Reason { get; set; }

        public bool Finishing { get; set; }

        public DateTimeOffset? SwitchedAt { get; set; }

        public int StableReplicas { get; set; }

        public Task? Run { get; set; }

        public bool IsActive => !Finishing && Phase is not (DeploymentPhase.Promoted or DeploymentPhase.RolledBack);

        public Action<Deployment>? Changed { get; set; }

        public void Add(TimeProvider time, string actor, string action, string? reason)
        {
            _history.Add(new DeploymentRecord(time.GetUtcNow(), actor, action, reason, Weight));
            Changed?.Invoke(this);
        }

        public StoredDeployment Store() =>
            new(Service, Stable, Request, Phase, Weight, Step, Reason, startedAt, SwitchedAt, StableReplicas, [.. _history]);

        public static Deployment From(StoredDeployment s, ClusterState cluster)
        {
            var d = new Deployment(s.Service, s.Stable, s.Request, cluster, s.StartedAt)
            {
                Phase = s.Phase,
                Weight = s.Weight,
                Step = s.Step,
                Reason = s.Reason,
                SwitchedAt = s.SwitchedAt,
                StableReplicas = s.StableReplicas,
            };
            d._history.AddRange(s.History);
            return d;
        }

        /// <summary>Starts a new analysis window.</summary>
        public void Baseline()
        {
            _canaryBase = Cluster.Versions.Snapshot(Request.Version);
            _stableBase = Cluster.Versions.Snapshot(Stable);
        }

        public (VersionWindow Canary, VersionWindow Stable) Window() =>
            (Cluster.Versions.Snapshot(Request.Version).Since(_canaryBase!), Cluster.Versions.Snapshot(Stable).Since(_stableBase!));

        /// <summary>Completes at the first operation on the deployment after it was read: read it before looking at the state.</summary>
        public Task Woken => _wake.Next;

        public void Wake() => _wake.Notify();

        /// <summary>Waits <paramref name="span"/>, or less when <paramref name="woken"/> (<see cref="Woken"/>, read earlier) completes.</summary>
        public static async Task WaitAsync(Task woken, TimeSpan span, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                await woken.WaitAsync(span, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The span ran out with no operation.
            }
        }

        public DeploymentStatus Describe() =>
            new(Service, Request.Type, Stable, Request.Version, Phase, Weight, Step, Request.Steps, startedAt, Reason, [.. _history]);
    }

    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Information, "{Service}: {Action} of version {Version}: {Reason}")]
        public static partial void Finished(ILogger logger, string service, string action, string version, string reason);

        [LoggerMessage(5004, LogLevel.Error, "Saving the deployment of {Service} failed: {Reason}")]
        public static partial void SaveFailed(ILogger logger, string service, string reason);

        [LoggerMessage(5003, LogLevel.Error, "The deployment of {Service} failed: {Reason}")]
        public static partial void Failed(ILogger logger, string service, string reason);
    }
}
