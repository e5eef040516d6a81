using Microsoft.Extensions.Logging;
using Shoal.Delivery.Rollouts;
using Shoal.Http;

namespace Shoal.Delivery;

/// <summary>
/// Runs deployments: starts a new version next to the stable one, moves traffic to it step by step through the
/// gateway's version split, judges each step against the stable version, and promotes or rolls back — by itself or
/// when told. One deployment per service at a time; every operation is recorded with its time, actor and reason.
/// </summary>
public sealed partial class DeploymentController : IAsyncDisposable
{
    private readonly IRunningVersions _versions;
    private readonly ITrafficSplit _traffic;
    private readonly IServiceDeclarations _declarations;
    private readonly DeploymentStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly RolloutContext _context;
    private readonly Dictionary<string, IRollout> _rollouts;
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Creates a controller over the stack's running versions and the gateway's split; state is kept in <paramref name="documents"/>.</summary>
    public DeploymentController(IRunningVersions versions, ITrafficSplit traffic, IServiceDeclarations declarations, IDeploymentDocuments documents, TimeProvider timeProvider, ILogger logger)
    {
        _versions = versions;
        _traffic = traffic;
        _declarations = declarations;
        _time = timeProvider;
        _logger = logger;
        _store = new DeploymentStore(documents, logger);
        _context = new RolloutContext(versions, traffic, timeProvider, logger, _lock);
        _rollouts = new IRollout[] { new CanaryRollout(), new BlueGreenRollout(), new RollingRollout() }.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>How long a new version may take to become healthy.</summary>
    public TimeSpan StartTimeout
    {
        get => _context.StartTimeout;
        init => _context.StartTimeout = value;
    }

    /// <summary>
    /// Takes up the deployments a previous run left in progress: their new version is started again and the canary
    /// resumes at its step (a paused one stays held), a blue/green keeps its phase; finished ones are history.
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in await _store.LoadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_traffic.Routes(stored.Service) || _versions.StableVersion(stored.Service) is null || !_rollouts.TryGetValue(stored.Request.Type, out var rollout))
            {
                continue;
            }

            lock (_lock)
            {
                var d = Deployment.From(stored, rollout);
                d.Changed = Persist;
                _deployments[stored.Service] = d;
                if (d.IsActive)
                {
                    d.Add(_time, "controller", "restore", "the gateway restarted; starting the new version again");
                    var resumeAt = d.Phase;
                    d.Run = Task.Run(() => RunAsync(d, resumeAt, _stopping.Token));
                }
            }
        }
    }

    /// <summary>A service's <c>deploy:</c> defaults from the stack file, as a request to fill in.</summary>
    public DeploymentRequest DefaultsFor(string service) => _declarations.Defaults(service);

    /// <summary>Null when a caller with <paramref name="role"/> may run <paramref name="request"/> on <paramref name="service"/> (see <see cref="DeploymentPermission"/>), else why not; an unknown service is left to <see cref="Start"/> to report.</summary>
    public string? Refusal(string service, DeploymentRequest request, AdminRole role) =>
        _declarations.Find(service) is { } declared ? DeploymentPermission.Refusal(role, declared, request) : null;

    /// <summary>The current or last deployment of a service.</summary>
    public DeploymentStatus? Status(string service)
    {
        lock (_lock)
        {
            return _deployments.TryGetValue(service, out var d) ? d.Describe() : null;
        }
    }

    /// <summary>Starts a deployment; it proceeds in the background.</summary>
    /// <exception cref="DeploymentException">No such service (404), an invalid request (400) or one already in progress (409).</exception>
    public DeploymentStatus Start(string service, DeploymentRequest request, string actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_traffic.Routes(service))
        {
            throw new DeploymentException(404, $"The gateway routes no service '{service}'.");
        }

        var stable = _versions.StableVersion(service) ?? throw new DeploymentException(404, $"Service '{service}' has no replicas this stack runs; deploy its versions by registering them.");
        DeploymentValidation.Validate(request, stable);
        lock (_lock)
        {
            if (_deployments.TryGetValue(service, out var current) && current.IsActive)
            {
                throw new DeploymentException(409, $"A {current.Request.Type} of '{service}' to {current.Request.Version} is {Deployment.Words(current.Phase)}; promote or roll it back first.");
            }

            var deployment = new Deployment(service, stable, request, _rollouts[request.Type], _time.GetUtcNow()) { Changed = Persist };
            deployment.Add(_time, actor, "start", $"{request.Type} to {request.Version}");
            _deployments[service] = deployment;
            deployment.Run = Task.Run(() => RunAsync(deployment, resumeAt: null, _stopping.Token));
            return deployment.Describe();
        }
    }

    /// <summary>Applies an operation: <c>promote</c>, <c>rollback</c> (or <c>abort</c>), <c>pause</c>, <c>resume</c>, <c>switch</c>.</summary>
    /// <exception cref="DeploymentException">No such operation (400), or one the deployment's state does not allow (409).</exception>
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
                await _context.PromoteAsync(deployment, actor, reason ?? "promoted by hand", cancellationToken).ConfigureAwait(false);
                break;
            case "rollback" or "abort":
                await _context.RollBackAsync(deployment, actor, reason ?? "rolled back by hand", cancellationToken).ConfigureAwait(false);
                break;
            case "pause" or "resume":
                lock (_lock)
                {
                    if (!deployment.Rollout.CanPause || deployment.Phase is not (DeploymentPhase.Progressing or DeploymentPhase.Paused))
                    {
                        throw new DeploymentException(409, $"Only a progressing canary or rolling update can be {action}d; this one is a {deployment.Request.Type}, {Deployment.Words(deployment.Phase)}.");
                    }

                    deployment.Phase = action == "pause" ? DeploymentPhase.Paused : DeploymentPhase.Progressing;
                    deployment.Add(_time, actor, action, reason);
                    deployment.Wake();
                }

                break;
            case "switch":
                lock (_lock)
                {
                    if (!deployment.Rollout.CanSwitch || deployment.Phase != DeploymentPhase.Ready)
                    {
                        throw new DeploymentException(409, $"Only a blue/green deployment that is ready can switch; this one is a {deployment.Request.Type}, {Deployment.Words(deployment.Phase)}.");
                    }

                    _context.SetWeight(deployment, 100);
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

    /// <summary>Queues the deployment's state for the store; called under the lock.</summary>
    private void Persist(Deployment d)
    {
        var stored = d.Store();
        _store.Save(stored);
        Announce(stored);
    }

    private async Task RunAsync(Deployment d, DeploymentPhase? resumeAt, CancellationToken stopping)
    {
        try
        {
            d.StableReplicas = _versions.StableReplicas(d.Service);
            await d.Rollout.RunAsync(_context, d, resumeAt, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The stack is stopping.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.Failed(_logger, d.Service, ex.Message);
            await _context.TryRollBackAsync(d, "controller", $"the deployment failed: {ex.Message}", CancellationToken.None).ConfigureAwait(false);
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

        await _store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
