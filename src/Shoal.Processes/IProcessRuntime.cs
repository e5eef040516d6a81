namespace Shoal.Processes;

/// <summary>
/// Starts processes from a spec: the one seam through which the supervisor and the function agent launch anything.
/// The host runtime forks them; isolated runtimes (bubblewrap, runc, Docker) slot in here.
/// </summary>
public interface IProcessRuntime
{
    /// <summary>The runtime's name as configured and reported (e.g. <c>process</c>, <c>process+cgroup-v1</c>).</summary>
    string Name { get; }

    /// <summary>Starts a process; the returned handle tracks it until it exits.</summary>
    /// <exception cref="ProcessStartException">The process could not be started.</exception>
    ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Kills a process an earlier run of Shoal started with this runtime and left behind, of which only what its handle
    /// reported remains: its group if <paramref name="pid"/> still names it, and whatever is left in its cgroups.
    /// </summary>
    void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups);
}
