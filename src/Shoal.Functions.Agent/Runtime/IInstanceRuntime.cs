using Shoal.Orchestration.Processes;

namespace Shoal.Functions.Agent.Runtime;

/// <summary>
/// Starts function instances. The <c>process</c> runtime runs each as a child process in its own process group (and
/// cgroup where the machine gives one); isolated runtimes (runc, bubblewrap) implement the same contract.
/// </summary>
public interface IInstanceRuntime
{
    /// <summary>The runtime's name, as the agent reports it.</summary>
    string Name { get; }

    /// <summary>Starts one instance.</summary>
    /// <exception cref="ProcessStartException">It could not be started.</exception>
    ValueTask<IInstanceProcess> StartAsync(InstanceLaunch launch, CancellationToken cancellationToken);

    /// <summary>Kills an instance left by an earlier run of the agent, of which only the record remains.</summary>
    void KillLeftover(InstanceRecord record);
}

/// <summary>What to start: the process, and the limits the runtime applies.</summary>
/// <param name="Id">The instance's id, safe for file and cgroup names once sanitized.</param>
/// <param name="Process">Program, arguments, environment, working directory, log file.</param>
/// <param name="MemoryBytes">The memory limit.</param>
public sealed record InstanceLaunch(string Id, ProcessSpec Process, long MemoryBytes);

/// <summary>A running instance's process.</summary>
public interface IInstanceProcess : IAsyncDisposable
{
    /// <summary>The process id (leader of its own group).</summary>
    int Pid { get; }

    /// <summary>The kernel's start time of the process, to tell it from a later one with the same pid.</summary>
    long StartTime { get; }

    /// <summary>The cgroup directories holding it (one per controller), empty when the machine gives none.</summary>
    IReadOnlyList<string> Cgroups { get; }

    /// <summary>Completes with the exit code once the process has exited.</summary>
    Task<int> Exited { get; }

    /// <summary>Freezes it (cgroup freezer, else SIGSTOP to the group).</summary>
    void Pause();

    /// <summary>Thaws it.</summary>
    void Resume();

    /// <summary>Stops it: SIGTERM, then SIGKILL to its group (and cgroup) after <paramref name="grace"/>.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);
}

/// <summary>What the agent remembers of an instance across its own restarts.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="Function">The function's name.</param>
/// <param name="Owner">Who asked for it.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="StartTime">The kernel's start time of that pid.</param>
/// <param name="StartedAtUnixMs">When it started.</param>
/// <param name="Cgroups">Its cgroup directories.</param>
public sealed record InstanceRecord(string Id, string Function, string Owner, int Pid, long StartTime, long StartedAtUnixMs, IReadOnlyList<string> Cgroups);
