namespace Shoal.Processes;

/// <summary>A process in a cgroup of its own: usage and OOM kills from the cgroup, pause by the freezer, the cgroup removed when it is done.</summary>
internal sealed class CgroupHandle(IProcessHandle handle, ICgroup cgroup) : IProcessHandle
{
    private readonly Lock _lock = new();
    private ResourceUsage? _final;

    public int Pid => handle.Pid;

    public long StartTime => handle.StartTime;

    public IReadOnlyList<string> Cgroups => cgroup.Paths;

    public Task<int> Exited => handle.Exited;

    // SIGKILL alone does not say why: the cgroup's count tells the OOM killer from a stop.
    public bool OomKilled => Exited.IsCompletedSuccessfully && Exited.Result == 128 + PosixSignals.Kill && (ReadUsage()?.OomKills ?? 0) > 0;

    public ResourceUsage? ReadUsage()
    {
        lock (_lock)
        {
            return _final ?? cgroup.ReadUsage();
        }
    }

    public void Signal(int signal) => handle.Signal(signal);

    public void Pause() => cgroup.SetFrozen(frozen: true);

    public void Resume() => cgroup.SetFrozen(frozen: false);

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        // A frozen process cannot act on SIGTERM, nor die of SIGKILL, until thawed; a removed cgroup holds nothing to thaw.
        lock (_lock)
        {
            if (_final is null)
            {
                cgroup.SetFrozen(frozen: false);
            }
        }

        await handle.StopAsync(grace, cancellationToken).ConfigureAwait(false);
        Remove();
    }

    public async ValueTask DisposeAsync()
    {
        await handle.DisposeAsync().ConfigureAwait(false);

        // A process still running outlives the handle (a daemon restart adopts it): only a finished one loses its cgroup.
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

            // The counts go with the directories: keep the last reading for OomKilled and ReadUsage.
            _final = cgroup.ReadUsage();
            cgroup.KillAndRemove();
        }
    }
}
