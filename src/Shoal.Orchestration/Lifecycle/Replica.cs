using Shoal.Catalog;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Stack;
using Shoal.Processes;
using Shoal.Text;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Supervises one replica: starts it, probes it, restarts it by policy, and publishes it to the catalog.</summary>
internal sealed partial class Replica
{
    private readonly ReplicaTemplate _template;
    private readonly SupervisionContext _context;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ReplicaSnapshot _snapshot;
    private IProcessHandle? _process;
    private Task? _run;

    public Replica(ReplicaTemplate template, int index, int port, SupervisionContext context)
    {
        _template = template;
        _context = context;
        _snapshot = new ReplicaSnapshot
        {
            Service = template.Service.Name,
            Id = $"{template.Service.InstancePrefix}-{index}",
            Index = index,
            Port = port,
            State = ReplicaState.Pending,
            Runtime = template.Service.Runtime.RuntimeName,
            User = template.Service.Runtime.User,
            Limits = ReplicaLimits.Of(template.Service.Runtime.Limits),
        };
    }

    public ReplicaSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public string Id => _snapshot.Id;

    /// <summary>The id the catalog knows the replica by: <see cref="Id"/>, qualified with its owner in a shared registry.</summary>
    private string CatalogId => Id + _context.CatalogIdSuffix;

    public int Index => _snapshot.Index;

    private ServiceDefinition Service => _template.Service;

    public void Start() => _run = Task.Run(RunInNetworkAsync);

    /// <summary>Marks the replica failed without starting it: what it needed first did not happen.</summary>
    public void Refuse(string message)
    {
        Log.StartFailed(_context.Logger, Id, message);
        Update(s => s with { State = ReplicaState.Failed, Message = message });
    }

    /// <summary>Stops the replica for good: marks it draining, lets <paramref name="drainer"/> wait for in-flight requests, then SIGTERM/SIGKILL.</summary>
    public async Task StopAsync(IInstanceDrainer drainer, bool drain, CancellationToken cancellationToken)
    {
        if (drain && Snapshot.State is ReplicaState.Healthy or ReplicaState.Unhealthy)
        {
            var draining = ToInstance(Snapshot) with { Draining = true };
            Update(s => s with { State = ReplicaState.Stopping, Message = "draining" });
            await _context.Catalog.UpsertAsync(draining, cancellationToken).ConfigureAwait(false);
            await drainer.DrainAsync(draining, Service.StopGracePeriod, cancellationToken).ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        var process = Volatile.Read(ref _process);
        if (process is not null)
        {
            Update(s => s with { State = ReplicaState.Stopping });
            await process.StopAsync(Service.StopGracePeriod, cancellationToken).ConfigureAwait(false);
        }

        if (_run is not null)
        {
            await _run.ConfigureAwait(false);
        }

        await _context.Catalog.RemoveAsync(Service.Name, CatalogId, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var restarts = new Queue<DateTimeOffset>();
        var consecutiveCrashes = 0;
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            var spec = _template.Create(Id, Index, Snapshot.Port, _lease);
            IProcessHandle process;
            try
            {
                process = await _context.Runtime.StartAsync(spec, token).ConfigureAwait(false);
            }
            catch (ProcessStartException ex)
            {
                // A program that is not there will not appear on retry: give up at once with the reason.
                Log.StartFailed(_context.Logger, Id, ex.Message);
                Update(s => s with { State = ReplicaState.Failed, Pid = null, Message = ex.Message });
                await PublishAsync().ConfigureAwait(false);
                return;
            }

            var startedAt = _context.Time.GetUtcNow();
            Volatile.Write(ref _process, process);
            if (token.IsCancellationRequested)
            {
                // StopAsync ran while the process was starting and could not see it yet.
                _ = process.StopAsync(Service.StopGracePeriod, CancellationToken.None);
            }

            Log.Started(_context.Logger, Id, process.Pid, Snapshot.Port);
            var processOnly = Service.Health.Kind == HealthCheckKind.Process;
            Update(s => s with
            {
                Pid = process.Pid,
                StartTime = process.StartTime,
                StartedAt = startedAt,
                State = ReplicaState.Starting,
                Health = InstanceHealth.Critical,
                Message = processOnly ? $"running; healthy once up for {Durations.Format(ProcessStartPeriod)}" : "waiting for the first health check",
            });
            await PublishAsync().ConfigureAwait(false);

            using var probing = CancellationTokenSource.CreateLinkedTokenSource(token);
            var health = processOnly ? ConfirmRunningAsync(probing.Token) : ProbeLoopAsync(probing.Token);
            var sampling = SampleUsageAsync(process, probing.Token);
            var exitCode = await process.Exited.ConfigureAwait(false);
            await probing.CancelAsync().ConfigureAwait(false);
            await health.ConfigureAwait(false);
            await sampling.ConfigureAwait(false);
            var oomKilled = IsOomKill(process, exitCode);
            Volatile.Write(ref _process, null);
            await process.DisposeAsync().ConfigureAwait(false);
            var reason = ExitReasons.Of(exitCode, oomKilled);
            var oomKills = oomKilled ? 1 : 0;

            if (token.IsCancellationRequested)
            {
                Update(s => s with { State = ReplicaState.Stopped, Pid = null, Health = InstanceHealth.Critical, LastExitCode = exitCode, LastExitReason = reason, OomKills = s.OomKills + oomKills, Usage = null, Message = "stopped" });
                return;
            }

            string exit;
            if (oomKilled)
            {
                var limit = MemoryLimitText;
                Log.OomKilled(_context.Logger, Id, limit);
                exit = $"killed at its memory limit ({limit})";
            }
            else
            {
                Log.Exited(_context.Logger, Id, process.Pid, exitCode);
                exit = $"exited with code {exitCode}";
            }

            var now = _context.Time.GetUtcNow();
            var mode = Service.Restart.Mode;
            if (mode == RestartMode.Never || (mode == RestartMode.OnFailure && exitCode == 0))
            {
                // Exit 0 without a restart is a one-shot job done (a migration): what ps shows and dependants wait for.
                var done = exitCode == 0 && !oomKilled ? $"completed ({exit})" : exit;
                Update(s => s with { State = ReplicaState.Exited, Pid = null, Health = InstanceHealth.Critical, LastExitCode = exitCode, LastExitReason = reason, OomKills = s.OomKills + oomKills, Usage = null, Message = done });
                await PublishAsync().ConfigureAwait(false);
                return;
            }

            restarts.Enqueue(now);
            while (restarts.Count > 0 && now - restarts.Peek() > Service.Restart.Window)
            {
                restarts.Dequeue();
            }

            if (restarts.Count > Service.Restart.MaxRestarts)
            {
                var gaveUp = $"crash loop: exited {restarts.Count} times within {Durations.Format(Service.Restart.Window)} (last {(oomKilled ? exit : $"exit code {exitCode}")}); see {_template.LogFile(Id)}";
                Log.GaveUp(_context.Logger, Id, gaveUp);
                Telemetry.SupervisorMetrics.OnCrashLoop(Service.Name);
                Update(s => s with { State = ReplicaState.Failed, Pid = null, Health = InstanceHealth.Critical, LastExitCode = exitCode, LastExitReason = reason, OomKills = s.OomKills + oomKills, Usage = null, Message = gaveUp });
                await PublishAsync().ConfigureAwait(false);
                return;
            }

            // A replica that ran a while before it died starts again at the shortest delay.
            consecutiveCrashes = now - startedAt > TimeSpan.FromSeconds(10) ? 0 : consecutiveCrashes + 1;
            var delay = Backoff(consecutiveCrashes);
            Update(s => s with
            {
                State = ReplicaState.Restarting,
                Pid = null,
                Health = InstanceHealth.Critical,
                LastExitCode = exitCode,
                LastExitReason = reason,
                OomKills = s.OomKills + oomKills,
                Usage = null,
                Message = $"{exit}; restarting in {Durations.Format(delay)}",
            });
            await PublishAsync().ConfigureAwait(false);
            try
            {
                await Task.Delay(delay, _context.Time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Update(s => s with { State = ReplicaState.Stopped, Message = "stopped" });
                return;
            }

            Update(s => s with { Restarts = s.Restarts + 1 });
            Telemetry.SupervisorMetrics.OnRestarted(Service.Name);
        }
    }

    private TimeSpan Backoff(int consecutiveCrashes)
    {
        var policy = Service.Restart;
        var factor = Math.Pow(2, Math.Max(0, consecutiveCrashes - 1));
        var delay = TimeSpan.FromTicks((long)Math.Min(policy.Backoff.Ticks * factor, policy.MaxBackoff.Ticks));
        return delay;
    }

    /// <summary>
    /// A service without a health check counts as healthy once its process has stayed up this long (supervisord's
    /// <c>startsecs</c>), so a command that exits at once is a crash loop, not a healthy start.
    /// </summary>
    public static readonly TimeSpan ProcessStartPeriod = TimeSpan.FromSeconds(1);

    private async Task ConfirmRunningAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(ProcessStartPeriod, _context.Time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Update(s => s with { State = ReplicaState.Healthy, Health = InstanceHealth.Passing, Message = "running" });
        await PublishAsync().ConfigureAwait(false);
    }

    private async Task ProbeLoopAsync(CancellationToken token)
    {
        var check = Service.Health;
        var passes = 0;
        var failures = 0;
        var everHealthy = false;
        while (!token.IsCancellationRequested)
        {
            var started = _context.Time.GetTimestamp();
            HealthProbeResult result;
            try
            {
                result = await ProbeOnceAsync(check, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var current = Snapshot;
            if (result.Passed)
            {
                passes++;
                failures = 0;
                if (current.State != ReplicaState.Healthy && passes >= check.HealthyThreshold)
                {
                    everHealthy = true;
                    Update(s => s with { State = ReplicaState.Healthy, Health = InstanceHealth.Passing, Message = result.Message });
                    await PublishAsync().ConfigureAwait(false);
                }
            }
            else
            {
                failures++;
                passes = 0;
                if (current.State == ReplicaState.Healthy && failures >= check.UnhealthyThreshold)
                {
                    Log.Unhealthy(_context.Logger, Id, result.Message);
                    Update(s => s with { State = ReplicaState.Unhealthy, Health = InstanceHealth.Critical, Message = result.Message });
                    await PublishAsync().ConfigureAwait(false);
                }
                else if (current.State != ReplicaState.Healthy)
                {
                    Update(s => s with { Message = $"health check: {result.Message}" });
                }
            }

            // Probes start every interval, however long the last one took (HAProxy's inter): a probe that waits out its
            // timeout does not stretch the period, so a healthy replica falls within interval x unhealthy_threshold
            // (+ one timeout) of freezing, not (interval + timeout) x unhealthy_threshold.
            var period = everHealthy ? check.Interval : check.StartInterval;
            var wait = period - _context.Time.GetElapsedTime(started);
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _context.Time, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One probe, given at most the check's timeout on the supervisor's clock; no answer by then is a failure.</summary>
    private async Task<HealthProbeResult> ProbeOnceAsync(HealthCheckDefinition check, CancellationToken token)
    {
        using var deadline = new CancellationTokenSource(check.Timeout, _context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token);
        try
        {
            return await _context.Probe.ProbeAsync(check, Address, Snapshot.Port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return new HealthProbeResult(false, $"no answer within {Durations.Format(check.Timeout)}");
        }
    }

    private void Update(Func<ReplicaSnapshot, ReplicaSnapshot> change)
    {
        lock (_lock)
        {
            Volatile.Write(ref _snapshot, change(_snapshot));
        }

        _context.Changed();
    }

    private ValueTask PublishAsync() => _context.Catalog.UpsertAsync(ToInstance(Snapshot));

    private ServiceInstance ToInstance(ReplicaSnapshot s)
    {
        var replica = Service.OverrideFor(s.Index);
        var metadata = new Dictionary<string, string>(Service.Metadata, StringComparer.Ordinal);
        foreach (var (key, value) in replica?.Metadata ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        metadata["source"] = "stack";
        if (Service.Health is { Kind: HealthCheckKind.Http, Path: { } path })
        {
            metadata[ServiceInstance.HealthPathKey] = path;
        }

        return new ServiceInstance
        {
            Service = Service.Name,
            Id = s.Id + _context.CatalogIdSuffix,
            Address = Address,
            Port = s.Port,
            Version = Service.Version,
            Weight = replica?.Weight ?? Service.Weight,
            Health = s.Health,
            Pid = s.Pid,
            RegisteredAt = s.StartedAt ?? _context.Time.GetUtcNow(),
            Metadata = metadata,
        };
    }
}
