using System.Globalization;

namespace Shoal.Processes;

/// <summary>
/// Puts each process that has a memory limit in cgroup v1 controllers of its own (<see cref="CgroupV1"/>: memory, cpu
/// shares, pids, freezer) and starts it with <paramref name="inner"/>. The process joins its cgroups before it execs the
/// program, so the limits hold from its first instruction; pause and resume then use the freezer. Without cgroups (or
/// without a memory limit) it is <paramref name="inner"/> unchanged, and pause falls back to SIGSTOP.
/// </summary>
/// <param name="inner">Starts the (wrapped) process.</param>
/// <param name="useCgroups">True where the cgroup v1 hierarchy is writable (<see cref="CgroupV1.IsAvailable"/>).</param>
public sealed class CgroupV1ProcessRuntime(IProcessRuntime inner, bool useCgroups) : IProcessRuntime
{
    // Joins each cgroup given as an argument, then execs the rest: the pid stays the one the inner runtime saw.
    private const string JoinCgroups = "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"";

    /// <summary>Creates the host runtime, with cgroups when the machine gives them; processes carry <paramref name="scope"/>'s marker when given.</summary>
    public static CgroupV1ProcessRuntime CreateDefault(TimeProvider timeProvider, ProcessScope? scope = null) =>
        new(new HostProcessRuntime(timeProvider, scope), CgroupV1.IsAvailable());

    /// <inheritdoc />
    public string Name => UseCgroups ? inner.Name + "+cgroup-v1" : inner.Name;

    /// <summary>True when processes with a memory limit get cgroups.</summary>
    public bool UseCgroups { get; } = useCgroups;

    /// <inheritdoc />
    public async ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var program = HostProcessRuntime.ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
            ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
        IReadOnlyList<string> cgroups = [];
        if (UseCgroups && spec.Limits.MemoryBytes is { } memoryBytes)
        {
            try
            {
                cgroups = CgroupV1.Create(spec.InstanceId ?? spec.Name, memoryBytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ProcessStartException($"{spec.Name}: cannot set up its cgroups: {ex.Message}", ex);
            }

            spec = spec with { FileName = "/bin/sh", Arguments = ["-c", JoinCgroups, "shoal-cgroup", cgroups.Count.ToString(CultureInfo.InvariantCulture), .. cgroups, program, .. spec.Arguments] };
        }
        else
        {
            spec = spec with { FileName = program };
        }

        try
        {
            var handle = await inner.StartAsync(spec, cancellationToken).ConfigureAwait(false);
            return cgroups.Count == 0 ? handle : new CgroupHandle(handle, cgroups);
        }
        catch
        {
            CgroupV1.KillAndRemove(cgroups);
            throw;
        }
    }

    /// <inheritdoc />
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
        inner.KillLeftover(pid, startTime, cgroups);
        CgroupV1.KillAndRemove(cgroups);
    }

    private sealed class CgroupHandle(IProcessHandle handle, IReadOnlyList<string> cgroups) : IProcessHandle
    {
        public int Pid => handle.Pid;

        public long StartTime => handle.StartTime;

        public IReadOnlyList<string> Cgroups => cgroups;

        public Task<int> Exited => handle.Exited;

        public void Signal(int signal) => handle.Signal(signal);

        public void Pause() => CgroupV1.SetFrozen(cgroups, frozen: true);

        public void Resume() => CgroupV1.SetFrozen(cgroups, frozen: false);

        public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
        {
            // A frozen process cannot act on SIGTERM, nor die of SIGKILL, until thawed.
            CgroupV1.SetFrozen(cgroups, frozen: false);
            await handle.StopAsync(grace, cancellationToken).ConfigureAwait(false);
            CgroupV1.KillAndRemove(cgroups);
        }

        public ValueTask DisposeAsync() => handle.DisposeAsync();
    }
}
