using System.Globalization;

namespace Shoal.Processes;

/// <summary>
/// cgroup v1 controllers under <c>/sys/fs/cgroup/&lt;controller&gt;/shoal/&lt;id&gt;</c>: memory (the function's memory,
/// swap included where accounted), cpu (shares in proportion to memory, as Lambda gives CPU), pids, and the freezer for
/// pause and resume. Used only where the hierarchy exists and is writable (root on a v1 or hybrid host).
/// </summary>
public static class CgroupV1
{
    /// <summary>The controllers Shoal uses, in the order a process joins them.</summary>
    public static readonly string[] Controllers = ["memory", "cpu", "pids", "freezer"];

    /// <summary>Tasks per instance: enough for a runtime and its helpers, few enough to stop a fork bomb.</summary>
    public const int MaxProcesses = 512;

    private const string Root = "/sys/fs/cgroup";

    /// <summary>True when every controller's <c>shoal</c> directory exists or can be made.</summary>
    public static bool IsAvailable()
    {
        try
        {
            foreach (var controller in Controllers)
            {
                var parent = Path.Combine(Root, controller);
                if (!File.Exists(Path.Combine(parent, "cgroup.procs")))
                {
                    return false;
                }

                Directory.CreateDirectory(Path.Combine(parent, "shoal"));
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Makes the instance's cgroups with their limits; returns their directories.</summary>
    public static IReadOnlyList<string> Create(string id, long memoryBytes)
    {
        var name = Sanitize(id);
        var paths = new List<string>(Controllers.Length);
        foreach (var controller in Controllers)
        {
            var path = Path.Combine(Root, controller, "shoal", name);
            Directory.CreateDirectory(path);
            paths.Add(path);
        }

        var memory = paths[0];
        var bytes = memoryBytes.ToString(CultureInfo.InvariantCulture);

        // limit_in_bytes must stay ≤ memsw.limit_in_bytes: lowering from unlimited, write the limit first.
        File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), bytes);
        var memsw = Path.Combine(memory, "memory.memsw.limit_in_bytes");
        if (File.Exists(memsw))
        {
            File.WriteAllText(memsw, bytes);
        }

        // Lambda gives one vCPU per 1,769 MB; as a weight rather than a quota, so an idle machine is not wasted.
        var shares = Math.Clamp(memoryBytes / (1769L * 1024 * 1024 / 1024), 2, 262144);
        File.WriteAllText(Path.Combine(paths[1], "cpu.shares"), shares.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(paths[2], "pids.max"), MaxProcesses.ToString(CultureInfo.InvariantCulture));
        return paths;
    }

    /// <summary>Freezes (or thaws) every task of the instance.</summary>
    public static void SetFrozen(IReadOnlyList<string> paths, bool frozen)
    {
        var freezer = paths.FirstOrDefault(p => p.Contains("/freezer/", StringComparison.Ordinal));
        if (freezer is not null)
        {
            File.WriteAllText(Path.Combine(freezer, "freezer.state"), frozen ? "FROZEN" : "THAWED");
        }
    }

    /// <summary>Kills every task left in the instance's cgroups (thawed first: a frozen task cannot die) and removes them.</summary>
    public static void KillAndRemove(IReadOnlyList<string> paths)
    {
        try
        {
            SetFrozen(paths, frozen: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        foreach (var path in paths)
        {
            foreach (var pid in Tasks(path))
            {
                PosixSignals.Send(pid, PosixSignals.Kill);
            }
        }

        foreach (var path in paths)
        {
            // rmdir succeeds once the killed tasks are gone, which takes the kernel a moment.
            SpinWait.SpinUntil(() => TryRemove(path), TimeSpan.FromMilliseconds(500));
        }
    }

    private static bool TryRemove(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }

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

    /// <summary>Bytes of memory the instance's cgroup has as its limit, or null.</summary>
    public static long? MemoryLimit(IReadOnlyList<string> paths)
    {
        var memory = paths.FirstOrDefault(p => p.Contains("/memory/", StringComparison.Ordinal));
        try
        {
            return memory is null ? null : long.Parse(File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<int> Tasks(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(path, "cgroup.procs"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
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
}
