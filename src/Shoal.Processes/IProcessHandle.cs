namespace Shoal.Processes;

/// <summary>A running (or exited) process.</summary>
public interface IProcessHandle : IAsyncDisposable
{
    /// <summary>The process id (leader of its own group).</summary>
    int Pid { get; }

    /// <summary>The kernel's start time of the process, to tell it from a later process that reuses the pid.</summary>
    long StartTime { get; }

    /// <summary>The cgroup directories holding it (one per controller), empty when its runtime gives it none of its own.</summary>
    IReadOnlyList<string> Cgroups => [];

    /// <summary>What it uses now (from its cgroups), or null when its runtime cannot tell.</summary>
    ResourceUsage? ReadUsage() => null;

    /// <summary>True once it has exited because the kernel killed it at its memory limit.</summary>
    bool OomKilled => false;

    /// <summary>Completes with the exit code (128 + signal when killed by a signal).</summary>
    Task<int> Exited { get; }

    /// <summary>Asks the process (and its group) to stop with SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Sends a signal to the process group.</summary>
    void Signal(int signal);

    /// <summary>Freezes the process: SIGSTOP to its group unless its runtime has a better way (the cgroup freezer).</summary>
    void Pause() => Signal(PosixSignals.Stop);

    /// <summary>Thaws a paused process.</summary>
    void Resume() => Signal(PosixSignals.Cont);
}
