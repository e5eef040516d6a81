using Shoal.Orchestration.Processes;

namespace Shoal.Functions.Agent.Runtime;

/// <summary>
/// The <c>process</c> runtime: each instance is a child process started by the stack's own process runtime (its own
/// session and process group, output to a log file). Where cgroup v1 is writable the process joins its cgroups before
/// it execs the function's bootstrap, so the limits hold from its first instruction; elsewhere it runs unlimited and
/// pause falls back to SIGSTOP.
/// </summary>
public sealed class ProcessInstanceRuntime(IProcessRuntime processes, bool useCgroups) : IInstanceRuntime
{
    // Joins each cgroup given as an argument, then execs the rest: the pid stays the one the process runtime saw.
    private const string JoinCgroups = "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1/cgroup.procs\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"";

    /// <summary>Creates the runtime, with cgroups when the machine gives them; instances carry <paramref name="scope"/>'s marker when given.</summary>
    public static ProcessInstanceRuntime CreateDefault(TimeProvider timeProvider, ProcessScope? scope = null) => new(new HostProcessRuntime(timeProvider, scope), CgroupV1.IsAvailable());

    /// <inheritdoc />
    public string Name => UseCgroups ? "process+cgroup-v1" : "process";

    /// <summary>True when instances get cgroups.</summary>
    public bool UseCgroups { get; } = useCgroups;

    /// <inheritdoc />
    public async ValueTask<IInstanceProcess> StartAsync(InstanceLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var spec = launch.Process;
        var program = HostProcessRuntime.ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
            ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
        IReadOnlyList<string> cgroups = [];
        if (UseCgroups)
        {
            try
            {
                cgroups = CgroupV1.Create(launch.Id, launch.MemoryBytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ProcessStartException($"{spec.Name}: cannot set up its cgroups: {ex.Message}", ex);
            }

            spec = spec with { FileName = "/bin/sh", Arguments = ["-c", JoinCgroups, "shoal-cgroup", cgroups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. cgroups, program, .. spec.Arguments] };
        }
        else
        {
            spec = spec with { FileName = program };
        }

        try
        {
            var handle = await processes.StartAsync(spec, cancellationToken).ConfigureAwait(false);
            return new InstanceProcess(handle, cgroups);
        }
        catch
        {
            CgroupV1.KillAndRemove(cgroups);
            throw;
        }
    }

    /// <inheritdoc />
    public void KillLeftover(InstanceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (ProcessIdentity.IsAlive(record.Pid, record.StartTime))
        {
            PosixSignals.Send(-record.Pid, PosixSignals.Cont);
            PosixSignals.Send(-record.Pid, PosixSignals.Kill);
        }

        CgroupV1.KillAndRemove(record.Cgroups);
    }

    private sealed class InstanceProcess(IProcessHandle handle, IReadOnlyList<string> cgroups) : IInstanceProcess
    {
        public int Pid => handle.Pid;

        public long StartTime => handle.StartTime;

        public IReadOnlyList<string> Cgroups => cgroups;

        public Task<int> Exited => handle.Exited;

        public void Pause()
        {
            if (cgroups.Count > 0)
            {
                CgroupV1.SetFrozen(cgroups, frozen: true);
            }
            else
            {
                handle.Signal(PosixSignals.Stop);
            }
        }

        public void Resume()
        {
            if (cgroups.Count > 0)
            {
                CgroupV1.SetFrozen(cgroups, frozen: false);
            }
            else
            {
                handle.Signal(PosixSignals.Cont);
            }
        }

        public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
        {
            if (cgroups.Count > 0)
            {
                // A frozen process cannot act on SIGTERM, nor die of SIGKILL, until thawed.
                CgroupV1.SetFrozen(cgroups, frozen: false);
            }

            await handle.StopAsync(grace, cancellationToken).ConfigureAwait(false);
            CgroupV1.KillAndRemove(cgroups);
        }

        public ValueTask DisposeAsync() => handle.DisposeAsync();
    }
}
