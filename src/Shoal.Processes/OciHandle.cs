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
    public void Signal(int signal) => Kill(id, OciProcessRuntime.Invariant(signal));

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
                Kill("--all", id, "KILL");
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

    /// <summary>
    /// <c>runc kill</c>, again every 50 ms for up to 2 s while runc refuses it and the container lives: runc refuses a
    /// signal while it is still setting the container up, and a stop right after a start must not lose its signal
    /// (the TERM would be gone, and a lost KILL would leave the container running).
    /// </summary>
    private void Kill(params string[] arguments)
    {
        for (var attempt = 0; runtime.Runc(["kill", .. arguments]) != 0 && attempt < 40 && !Exited.IsCompleted; attempt++)
        {
            Task.Delay(TimeSpan.FromMilliseconds(50), runtime.Time).Wait();
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
