using System.Globalization;

namespace Shoal.Processes.Docker;

/// <summary>
/// The cgroups the engine made for a container, found from its init process, and what they count. Reading the files is
/// what <c>docker stats</c> does too, without a round trip through the engine for every sample.
/// </summary>
/// <param name="Paths">The container's cgroup directories (one per v1 controller, or its one v2 directory).</param>
internal sealed record ContainerCgroups(IReadOnlyList<string> Paths)
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>The cgroups of <paramref name="pid"/> for the controllers Shoal reads; empty when it has none or is gone.</summary>
    /// <param name="pid">A host pid.</param>
    /// <param name="root">The cgroup mount root; internal for tests.</param>
    public static ContainerCgroups Of(int pid, string root = Root)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ContainerCgroups([]);
        }

        return new ContainerCgroups(Parse(lines, root).Where(Directory.Exists).ToList());
    }

    /// <summary>The directories named by the lines of a <c>/proc/PID/cgroup</c> file; internal for tests.</summary>
    internal static IEnumerable<string> Parse(IEnumerable<string> lines, string root)
    {
        var pureV2 = File.Exists(Path.Combine(root, "cgroup.controllers"));
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var relative = parts[2].TrimStart('/');
            if (parts[0] == "0" && parts[1].Length == 0)
            {
                // On a hybrid host the v2 tree holds no controller Shoal reads; on a pure v2 host it holds them all.
                if (pureV2)
                {
                    yield return Path.Combine(root, relative);
                }

                continue;
            }

            // v1 mounts a hierarchy at its controller list ("memory", "cpu,cpuacct"); named hierarchies are not ours.
            if (parts[1].Split(',').Any(c => c is "memory" or "cpu" or "cpuacct" or "pids" or "freezer"))
            {
                yield return Path.Combine(root, parts[1], relative);
            }
        }
    }

    /// <summary>What the container uses now, or null when its cgroups are gone (it exited) or unreadable.</summary>
    public ResourceUsage? Read()
    {
        TimeSpan? cpu = null;
        long? memory = null;
        int? processes = null;
        var oomKills = 0;
        foreach (var path in Paths)
        {
            cpu ??= ReadLong(path, "cpuacct.usage") is { } nanoseconds ? TimeSpan.FromTicks(nanoseconds / 100)
                : StatField(path, "cpu.stat", "usage_usec") is { } microseconds ? TimeSpan.FromMicroseconds(microseconds) : null;
            memory ??= ReadLong(path, "memory.usage_in_bytes") ?? ReadLong(path, "memory.current");
            processes ??= ReadLong(path, "pids.current") is { } count ? (int)count : null;
            oomKills = Math.Max(oomKills, (int)(StatField(path, "memory.oom_control", "oom_kill") ?? StatField(path, "memory.events", "oom_kill") ?? 0));
        }

        return cpu is null && memory is null && processes is null
            ? null
            : new ResourceUsage(cpu ?? TimeSpan.Zero, memory ?? 0, processes ?? 0, oomKills);
    }

    private static long? ReadLong(string directory, string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(Path.Combine(directory, file)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? StatField(string directory, string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(directory, file)))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                    && long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
