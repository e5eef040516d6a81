using System.Globalization;
using Shoal.Processes;

namespace Shoal.Functions.Agent.Instances;

/// <summary>
/// What an instance uses and whether its memory limit killed it: from its runtime (<see cref="IProcessHandle.ReadUsage"/>,
/// <see cref="IProcessHandle.OomKilled"/>), else from its cgroup v1 memory and pids controllers where it has them.
/// </summary>
internal static class InstanceUsage
{
    /// <summary>The instance's usage now, or null when neither its runtime nor its cgroups tell.</summary>
    public static ResourceUsage? Read(IProcessHandle process)
    {
        try
        {
            if (process.ReadUsage() is { } usage)
            {
                return usage;
            }

            var memory = Controller(process, "memory");
            if (memory is null)
            {
                return null;
            }

            var pids = Controller(process, "pids");
            var bytes = ReadLong(Path.Combine(memory, "memory.usage_in_bytes")) ?? 0;
            var tasks = pids is null ? 0 : (int)(ReadLong(Path.Combine(pids, "pids.current")) ?? 0);
            return new ResourceUsage(CpuOf(process.Pid), bytes, tasks, OomKills(memory));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>True when the kernel killed the exited <paramref name="process"/> at its memory limit.</summary>
    public static bool WasOomKilled(IProcessHandle process)
    {
        if (process.OomKilled)
        {
            return true;
        }

        // 137 = SIGKILL; the cgroup's oom_kill counter says whether the memory limit sent it.
        return process.Exited is { IsCompletedSuccessfully: true, Result: 137 } && Controller(process, "memory") is { } memory && OomKills(memory) > 0;
    }

    private static string? Controller(IProcessHandle process, string name) =>
        process.Cgroups.FirstOrDefault(c => c.Contains($"/{name}/", StringComparison.Ordinal) && Directory.Exists(c));

    private static int OomKills(string memory)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(memory, "memory.oom_control")))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return 0;
    }

    // The leader's own CPU time (utime + stime, fields 14 and 15 of /proc/PID/stat); children that exited count in its cutime.
    private static TimeSpan CpuOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
            + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static long? ReadLong(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
