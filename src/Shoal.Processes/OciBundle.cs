using System.Text.Json.Nodes;

namespace Shoal.Processes;

/// <summary>Writes an OCI bundle (config.json, and a root file system of host binds when there is no image) for one instance.</summary>
internal static class OciBundle
{
    private static readonly string[] RootLinks = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

    /// <summary>The rootfs of read-only host binds: mount points and the merged-/usr links, as the sandbox sees the host.</summary>
    public static void WriteHostRootfs(string rootfs)
    {
        foreach (var directory in new[] { "usr", "etc", "proc", "dev", "sys", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, directory));
        }

        // runc gives a tmpfs the mode of the directory it is mounted on, whatever its mode= option says: /tmp must be
        // the host's 1777 for an unprivileged user to write there.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b1_111_111_111);
        }

        foreach (var name in RootLinks)
        {
            var path = "/" + name;
            if (new FileInfo(path).LinkTarget is { } target)
            {
                File.CreateSymbolicLink(Path.Combine(rootfs, name), target);
            }
            else if (Directory.Exists(path))
            {
                Directory.CreateDirectory(Path.Combine(rootfs, name));
            }
        }
    }

    /// <summary>config.json for <paramref name="spec"/>; <paramref name="hostRootfs"/> adds the binds of /usr, /etc's entries and the program's directory.</summary>
    public static JsonObject Config(ProcessSpec spec, string rootfs, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string hostname, string cgroupsPath, bool hostRootfs)
    {
        var workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),

            // The host's hierarchy, read-only, so .NET and the JVM find their limits (a cgroup mount would show the container's alone, but v1 hybrid hosts trip runtimes over it).
            Bind("/sys/fs/cgroup", readOnly: true),
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777"),
        };
        if (hostRootfs)
        {
            mounts.Add(Bind("/usr", readOnly: true));
            foreach (var entry in SandboxProcessRuntime.EtcEntries)
            {
                var path = "/etc/" + entry;
                if (File.Exists(path) || Directory.Exists(path))
                {
                    mounts.Add(Bind(path, readOnly: true));
                }
            }

            if (Path.GetDirectoryName(args[0]) is { } own && !own.StartsWith("/usr/", StringComparison.Ordinal) && !RootLinks.Any(l => own == "/" + l)
                && own != workingDirectory && !own.StartsWith(workingDirectory + "/", StringComparison.Ordinal) && Directory.Exists(own))
            {
                mounts.Add(Bind(own, readOnly: true));
            }
        }

        mounts.Add(Bind(workingDirectory, spec.Isolation.ReadOnlyWorkingDirectory));
        if (Directory.Exists(Path.Combine(workingDirectory, ".shoal")))
        {
            // The daemon's state (tokens, logs, the registry) must not show through the working directory.
            mounts.Add(Mount(Path.Combine(workingDirectory, ".shoal"), "tmpfs", "tmpfs", "ro", "mode=000"));
        }

        var namespaces = new JsonArray { Namespace("pid"), Namespace("ipc"), Namespace("uts"), Namespace("mount") };
        if (spec.Isolation.Network == NetworkMode.Isolated)
        {
            namespaces.Add(Namespace("network"));
        }

        string[] capabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
        var user = spec.User;
        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = user?.Uid ?? 0, ["gid"] = user?.Gid ?? 0 },
                ["args"] = Strings(args),
                ["env"] = Strings(environment.Select(p => p.Key + "=" + p.Value)),
                ["cwd"] = workingDirectory,
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = Strings(capabilities),
                    ["effective"] = Strings(user is null ? capabilities : []),
                    ["permitted"] = Strings(user is null ? capabilities : []),
                },
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = true },
            ["hostname"] = hostname,
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["cgroupsPath"] = cgroupsPath,
                ["resources"] = Resources(spec.Limits),
                ["namespaces"] = namespaces,
                ["maskedPaths"] = Strings(["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"]),
                ["readonlyPaths"] = Strings(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]),
            },
        };
    }

    /// <summary>
    /// The hook that puts the container's network namespace on the bridge (<see cref="Networking.NetworkLease.AttachScript"/>):
    /// runc runs it in the host's namespaces once the container's exist and before the program starts.
    /// </summary>
    public static JsonObject NetworkHooks(Networking.NetworkLease lease) => new()
    {
        ["createRuntime"] = new JsonArray
        {
            new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = Strings(["sh", "-c", lease.AttachScript()]),
                ["env"] = Strings(["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]),
                ["timeout"] = 10,
            },
        },
    };

    private static JsonObject Resources(ResourceLimits limits)
    {
        var resources = new JsonObject { ["devices"] = new JsonArray { new JsonObject { ["allow"] = false, ["access"] = "rwm" } } };
        if (limits.MemoryBytes is { } memory)
        {
            resources["memory"] = new JsonObject { ["limit"] = memory, ["swap"] = memory };
        }

        if (limits.CpuQuota is { } cpus)
        {
            resources["cpu"] = new JsonObject { ["quota"] = CgroupFiles.QuotaFor(cpus), ["period"] = CgroupFiles.CpuPeriod };
        }
        else if (limits.MemoryBytes is { } memoryBytes)
        {
            resources["cpu"] = new JsonObject { ["shares"] = CgroupFiles.SharesFor(memoryBytes) };
        }

        if (CgroupFiles.MaxProcessesFor(limits) is { } pids)
        {
            resources["pids"] = new JsonObject { ["limit"] = pids };
        }

        return resources;
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options)
    {
        var mount = new JsonObject { ["destination"] = destination, ["type"] = type, ["source"] = source };
        if (options.Length > 0)
        {
            mount["options"] = Strings(options);
        }

        return mount;
    }

    private static JsonObject Bind(string path, bool readOnly) =>
        Mount(path, "bind", path, readOnly ? ["rbind", "ro", "nosuid", "nodev"] : ["rbind", "rw", "nosuid", "nodev"]);

    private static JsonObject Namespace(string type) => new() { ["type"] = type };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
