using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>The replica's live usage and how its process ended.</summary>
internal sealed partial class Replica
{
    /// <summary>The memory limit as logs and messages write it (<c>256 MiB</c>).</summary>
    private string MemoryLimitText => Service.Runtime.Limits.MemoryBytes is { } bytes ? MemorySize.Format(bytes) : "none set";

    /// <summary>
    /// Reads the process's usage every <see cref="StackSupervisor.UsageInterval"/> until <paramref name="token"/> is
    /// cancelled: CPU over the last interval (over its life at the first read), memory and tasks now. A usage change
    /// is no state change: it does not wake the waiters of <see cref="SupervisionContext.Changed"/>.
    /// </summary>
    private async Task SampleUsageAsync(IProcessHandle process, CancellationToken token)
    {
        var started = _context.Time.GetTimestamp();
        (TimeSpan Cpu, long At)? previous = null;
        while (!token.IsCancellationRequested)
        {
            var now = _context.Time.GetTimestamp();
            if (ReadUsage(process) is { } read)
            {
                var (usage, processOnly) = read;
                var (fromCpu, fromAt) = previous ?? (TimeSpan.Zero, started);
                var elapsed = _context.Time.GetElapsedTime(fromAt, now);

                // A reading taken just after the start divides the first tick of CPU by a few microseconds (millions of
                // per cent): CPU is only reported over at least half an interval, until then as 0.
                var percent = 0.0;
                if (elapsed >= StackSupervisor.UsageInterval / 2)
                {
                    percent = Math.Max(0, (usage.Cpu - fromCpu).TotalSeconds / elapsed.TotalSeconds * 100);
                    previous = (usage.Cpu, now);
                }

                var sample = new ReplicaUsage
                {
                    CpuPercent = Math.Round(percent, 1),
                    CpuSeconds = Math.Round(usage.Cpu.TotalSeconds, 3),
                    MemoryBytes = usage.MemoryBytes,
                    Pids = usage.Processes,
                    ProcessOnly = processOnly,
                };
                lock (_lock)
                {
                    if (_snapshot.Pid == process.Pid)
                    {
                        Volatile.Write(ref _snapshot, _snapshot with { Usage = sample });
                    }
                }
            }

            try
            {
                await Task.Delay(StackSupervisor.UsageInterval, _context.Time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The runtime's reading (from the instance's cgroups), else what /proc tells of the process alone.</summary>
    private static (ResourceUsage Usage, bool ProcessOnly)? ReadUsage(IProcessHandle process)
    {
        try
        {
            if (process.ReadUsage() is { } usage)
            {
                return (usage, false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // A cgroup removed under the reader (the process just exited): fall back, as for a runtime without cgroups.
        }

        return ProcessUsage.Read(process.Pid, process.StartTime) is { } own ? (own, true) : null;
    }

    /// <summary>
    /// True when the kernel killed the process at its memory limit: the runtime says so, or, for a runtime that does not
    /// track it, the process died of SIGKILL while its cgroup counts an OOM kill.
    /// </summary>
    private static bool IsOomKill(IProcessHandle process, int exitCode)
    {
        if (process.OomKilled)
        {
            return true;
        }

        try
        {
            return exitCode == 128 + PosixSignals.Kill && process.ReadUsage() is { OomKills: > 0 };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return false;
        }
    }
}
