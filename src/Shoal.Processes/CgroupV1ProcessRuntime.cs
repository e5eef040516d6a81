namespace Shoal.Processes;

/// <summary>The host runtime with cgroups (<see cref="CgroupProcessRuntime"/>), under the name callers know from before cgroup v2.</summary>
public sealed class CgroupV1ProcessRuntime : IProcessRuntime
{
    private readonly CgroupProcessRuntime _runtime;

    /// <summary>Wraps <paramref name="inner"/> with cgroup v1 when <paramref name="useCgroups"/>.</summary>
    public CgroupV1ProcessRuntime(IProcessRuntime inner, bool useCgroups)
        : this(new CgroupProcessRuntime(inner, useCgroups ? new CgroupV1Driver() : null))
    {
    }

    private CgroupV1ProcessRuntime(CgroupProcessRuntime runtime) => _runtime = runtime;

    /// <summary>Creates the host runtime with the cgroups the machine gives (v2 or v1, <see cref="CgroupDrivers.Detect"/>).</summary>
    public static CgroupV1ProcessRuntime CreateDefault(TimeProvider timeProvider, ProcessScope? scope = null) =>
        new(CgroupProcessRuntime.CreateDefault(timeProvider, scope));

    /// <inheritdoc />
    public string Name => _runtime.Name;

    /// <summary>True when processes with a limit get cgroups.</summary>
    public bool UseCgroups => _runtime.Driver is not null;

    /// <inheritdoc />
    public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken) => _runtime.StartAsync(spec, cancellationToken);

    /// <inheritdoc />
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups) => _runtime.KillLeftover(pid, startTime, cgroups);
}
