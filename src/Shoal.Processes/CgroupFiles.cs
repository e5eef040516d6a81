using System.Globalization;

namespace Shoal.Processes;

/// <summary>Reading and writing cgroup control files, shared by both versions.</summary>
internal static class CgroupFiles
{
    public static void Write(string directory, string file, string value) => File.WriteAllText(Path.Combine(directory, file), value);

    public static void Write(string directory, string file, long value) => Write(directory, file, value.ToString(CultureInfo.InvariantCulture));

    public static string? Read(string directory, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, file)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static long ReadNumber(string directory, string file) =>
        long.TryParse(Read(directory, file), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The value of <paramref name="key"/> in a flat-keyed file (<c>memory.events</c>, <c>cpu.stat</c>, <c>memory.oom_control</c>).</summary>
    public static long ReadKey(string directory, string file, string key)
    {
        foreach (var line in (Read(directory, file) ?? "").Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return 0;
    }

    public static List<int> Tasks(string directory)
    {
        var pids = new List<int>();
        foreach (var line in (Read(directory, "cgroup.procs") ?? "").Split('\n'))
        {
            // A daemon thread starting a process sits in its cgroups for a moment (DirectSpawn): never the daemon's to kill.
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId)
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>Kills the tasks of <paramref name="directories"/> until none is left (a task may fork between a read and a kill).</summary>
    public static void KillTasks(IReadOnlyList<string> directories)
    {
        for (var round = 0; round < 50; round++)
        {
            var any = false;
            foreach (var directory in directories)
            {
                foreach (var pid in Tasks(directory))
                {
                    PosixSignals.Send(pid, PosixSignals.Kill);
                    any = true;
                }
            }

            if (!any)
            {
                return;
            }

            // Killed tasks leave the cgroup as they exit, which takes the kernel a moment.
            SpinWait.SpinUntil(() => directories.All(d => Tasks(d).Count == 0), TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Removes the directories (rmdir: a cgroup goes once its tasks are gone, which takes the kernel a moment).</summary>
    public static void Remove(IReadOnlyList<string> directories)
    {
        foreach (var directory in directories)
        {
            SpinWait.SpinUntil(() => TryRemove(directory), TimeSpan.FromMilliseconds(500));
        }
    }

    private static bool TryRemove(string path)
    {
        try
        {
            Directory.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>A cgroup directory name for an instance id.</summary>
    public static string Sanitize(string id) =>
        string.Create(id.Length, id, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_';
            }
        });

    /// <summary>Lambda gives one vCPU per 1,769 MB: the cpu.shares (v1, 1024 = one CPU's weight) for a memory size.</summary>
    public static long SharesFor(long memoryBytes) => Math.Clamp(memoryBytes / (1769L * 1024 * 1024 / 1024), 2, 262144);

    public const long CpuPeriod = 100_000;

    public static long QuotaFor(double cpus) => Math.Max(1000, (long)Math.Round(cpus * CpuPeriod));

    /// <summary>Tasks per memory-limited instance when no pids limit is given: enough for a runtime and its helpers, few enough to stop a fork bomb.</summary>
    public const int DefaultMaxProcesses = 512;

    public static int? MaxProcessesFor(ResourceLimits limits) =>
        limits.MaxProcesses ?? (limits.MemoryBytes is null ? null : DefaultMaxProcesses);
}
