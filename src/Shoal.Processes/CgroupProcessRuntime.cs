using System.Globalization;

namespace Shoal.Processes;

/// <summary>
/// Puts each process that has a limit (memory, cpus or pids) in a cgroup of its own (<see cref="ICgroupDriver"/>: v1 or
/// v2) and starts it with <paramref name="inner"/>. The process joins its cgroup before it execs the program (and, when
/// it has a <see cref="ProcessSpec.User"/>, drops to that user only after joining, which needs root), so the limits hold
/// from its first instruction: the host runtime does it (<see cref="ProcessSpec.JoinCgroups"/>), another
/// inner runtime gets a shell that does it first; pause and resume then use the freezer, and its handle reads its usage. Without a driver
/// (or without limits, unless <paramref name="always"/>) it is <paramref name="inner"/> unchanged.
/// </summary>
/// <param name="inner">Starts the (wrapped) process.</param>
/// <param name="driver">The machine's cgroups (<see cref="CgroupDrivers.Detect"/>), or null for none.</param>
/// <param name="always">True to give a cgroup to every process (isolating runtimes: the freezer and usage for all).</param>
public sealed class CgroupProcessRuntime(IProcessRuntime inner, ICgroupDriver? driver, bool always = false) : IProcessRuntime
{
    // Joins each cgroup.procs given as an argument, then execs the rest: the pid stays the one the inner runtime saw.
    private const string JoinCgroups = "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"";

    /// <summary>Creates the host runtime, with cgroups when the machine gives them; processes carry <paramref name="scope"/>'s marker when given.</summary>
    public static CgroupProcessRuntime CreateDefault(TimeProvider timeProvider, ProcessScope? scope = null) =>
        new(new HostProcessRuntime(timeProvider, scope), CgroupDrivers.Detect());

    /// <inheritdoc />
    public string Name => Driver is null ? inner.Name : inner.Name + "+" + Driver.Name;

    /// <summary>The cgroups processes get, or null when none.</summary>
    public ICgroupDriver? Driver { get; } = driver;

    /// <inheritdoc />
    public async ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var program = HostProcessRuntime.ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
            ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
        var limits = spec.Limits;
        if (Driver is null || !(always || limits.MemoryBytes is not null || limits.CpuQuota is not null || limits.MaxProcesses is not null))
        {
            return await inner.StartAsync(spec with { FileName = program }, cancellationToken).ConfigureAwait(false);
        }

        ICgroup cgroup;
        try
        {
            cgroup = Driver.Create(spec.InstanceId ?? spec.Name, limits);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ProcessStartException($"{spec.Name}: cannot set up its cgroups: {ex.Message}", ex);
        }

        if (inner is HostProcessRuntime)
        {
            // The host runtime joins them, then drops to the user, before the program (DirectSpawn, or its launcher).
            spec = spec with { FileName = program, JoinCgroups = [.. spec.JoinCgroups, .. cgroup.JoinTargets] };
        }
        else
        {
            IReadOnlyList<string> user = spec.User is { } u ? ProcessUsers.SwitchCommand(u) : [];
            spec = spec with
            {
                FileName = "/bin/sh",
                Arguments = ["-c", JoinCgroups, "shoal-cgroup", cgroup.JoinTargets.Count.ToString(CultureInfo.InvariantCulture), .. cgroup.JoinTargets, .. user, program, .. spec.Arguments],
                User = null,
            };
        }

        try
        {
            var handle = await inner.StartAsync(spec, cancellationToken).ConfigureAwait(false);
            return new CgroupHandle(handle, cgroup);
        }
        catch
        {
            cgroup.KillAndRemove();
            throw;
        }
    }

    /// <inheritdoc />
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
        ArgumentNullException.ThrowIfNull(cgroups);
        inner.KillLeftover(pid, startTime, cgroups);
        if (cgroups.Count > 0)
        {
            CgroupDrivers.Open(cgroups).KillAndRemove();
        }
    }
}
