namespace Shoal.Processes;

/// <summary>A container runc runs in the foreground: signals through <c>runc kill</c>, pause by the freezer, the container, cgroup and bundle removed when done.</summary>
internal sealed class OciHandle(OciProcessRuntime runtime, IProcessHandle runc, ICgroup? cgroup, string id, string bundle) : IProcessHandle
{
    private readonly Lock _lock = new();
    private ResourceUsage? _final;

    public int Pid => runc.Pid;

    public long StartTime => runc.StartTime;

    public IReadOnlyList<string> Cgroups => cgroup?.Paths ?? [];

    public Task<int> Exited => runc.Exited;

    public bool OomKilled => Exited.IsCompletedSuccessfully && Exited.Result == 128 + PosixSignals.Kill && (ReadUsage()?.OomKills ?? 0) > 0;

    public ResourceUsage? ReadUsage()
    {
        lock (_lock)
        {
            return _final ?? cgroup?.ReadUsage();
        }
    }

    // A signal to runc itself would not reach the container (SIGKILL would orphan it): runc kill delivers it to the init.
    public void Signal(int signal) => runtime.Runc("kill", id, OciProcessRuntime.Invariant(signal));

    public void Pause()
    {
        if (cgroup is null)
        {
            runtime.Runc("pause", id);
        }
        else
        {
            cgroup.SetFrozen(frozen: true);
        }
    }

    public void Resume()
    {
        if (cgroup is null)
        {
            runtime.Runc("resume", id);
        }
        else
        {
            cgroup.SetFrozen(frozen: false);
        }
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!Exited.IsCompleted)
        {
            // A frozen container cannot act on SIGTERM, nor die of SIGKILL, until thawed.
            lock (_lock)
            {
                if (_final is null)
                {
                    cgroup?.SetFrozen(frozen: false);
                }
            }

            Signal(PosixSignals.Term);
            try
            {
                await Exited.WaitAsync(grace, runtime.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                runtime.Runc("kill", "--all", id, "KILL");
            }
        }

        await runc.StopAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        Remove();
    }

    public async ValueTask DisposeAsync()
    {
        await runc.DisposeAsync().ConfigureAwait(false);
        if (Exited.IsCompleted)
        {
            Remove();
        }
    }

    private void Remove()
    {
        lock (_lock)
        {
            if (_final is not null)
            {
                return;
            }

            _final = cgroup?.ReadUsage() ?? new ResourceUsage(TimeSpan.Zero, 0, 0, 0);
            runtime.Runc("delete", "--force", id);
            cgroup?.KillAndRemove();
            try
            {
                Directory.Delete(bundle, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
