namespace Shoal.Orchestration.Processes;

/// <summary>Starts processes from a spec. The host runtime forks them; isolated runtimes (bubblewrap, runc) slot in here.</summary>
public interface IProcessRuntime
{
    /// <summary>The runtime's name as configured (e.g. <c>process</c>).</summary>
    string Name { get; }

    /// <summary>Starts a process; the returned handle tracks it until it exits.</summary>
    /// <exception cref="ProcessStartException">The process could not be started.</exception>
    ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken);
}

/// <summary>A running (or exited) process.</summary>
public interface IProcessHandle : IAsyncDisposable
{
    /// <summary>The process id.</summary>
    int Pid { get; }

    /// <summary>The kernel's start time of the process, to tell it from a later process that reuses the pid.</summary>
    long StartTime { get; }

    /// <summary>Completes with the exit code (128 + signal when killed by a signal).</summary>
    Task<int> Exited { get; }

    /// <summary>Asks the process (and its group) to stop with SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>Sends a signal to the process group.</summary>
    void Signal(int signal);
}

/// <summary>A process could not be started.</summary>
public sealed class ProcessStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProcessStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public ProcessStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public ProcessStartException()
    {
    }
}
