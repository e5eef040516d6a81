namespace Shoal.Processes;

/// <summary>
/// Runs each process in bubblewrap (<c>runtime: sandbox</c>): its own pid, ipc and uts namespaces and mount view, in
/// which the host's /usr is read-only, /etc holds only what programs need (no /etc/shadow, even for root), /tmp is
/// private, and the only other host directories are its working directory (read-only for a function's code) and the
/// one its program lives in. It sees neither the daemon's state nor other instances' code or processes.
/// </summary>
/// <remarks>
/// <paramref name="inner"/> (a <see cref="CgroupProcessRuntime"/> over the host runtime) joins the cgroup before it
/// execs bwrap; the user switch happens inside, after bwrap has set up the mounts as root. bwrap's
/// <c>--die-with-parent</c> is not used: the kernel's parent-death signal follows the forking thread, and .NET forks
/// from thread-pool threads, which retire when idle — it would kill healthy sandboxes. An instance outlives the
/// daemon, as a bare process does, and the scope's sweep or <see cref="KillLeftover"/> ends it.
/// </remarks>
/// <param name="inner">Starts bwrap itself (with cgroups).</param>
/// <param name="bwrap">The bubblewrap executable.</param>
public sealed partial class SandboxProcessRuntime(IProcessRuntime inner, string bwrap = SandboxProcessRuntime.DefaultBwrap) : IProcessRuntime
{
    /// <summary>Where Debian's bubblewrap package installs it.</summary>
    public const string DefaultBwrap = "/usr/bin/bwrap";

    /// <summary>What /etc keeps: users and groups by name, name resolution, time zone, TLS roots, the loader's cache.</summary>
    public static IReadOnlyList<string> EtcEntries { get; } =
    [
        "passwd", "group", "hosts", "host.conf", "resolv.conf", "nsswitch.conf", "gai.conf", "services", "protocols",
        "localtime", "timezone", "ssl/certs", "ssl/openssl.cnf", "ca-certificates", "ca-certificates.conf", "alternatives",
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "os-release", "debian_version", "mime.types",
    ];

    private static readonly string[] RootLinks = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

    /// <summary>The sandbox over the host runtime with the machine's cgroups (every instance gets one: freezer and usage).</summary>
    /// <exception cref="ProcessStartException">bubblewrap is not installed.</exception>
    public static SandboxProcessRuntime Create(TimeProvider timeProvider, ProcessScope? scope = null, string bwrap = DefaultBwrap)
    {
        if (!File.Exists(bwrap))
        {
            throw new ProcessStartException("runtime 'sandbox' needs bubblewrap: apt-get install bubblewrap");
        }

        return new(new CgroupProcessRuntime(new HostProcessRuntime(timeProvider, scope), CgroupDrivers.Detect(), always: true), bwrap);
    }

    /// <inheritdoc />
    public string Name => "sandbox" + (inner.Name.Contains('+', StringComparison.Ordinal) ? inner.Name[inner.Name.IndexOf('+', StringComparison.Ordinal)..] : "");

    /// <inheritdoc />
    public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var program = HostProcessRuntime.ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
            ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
        if (!Directory.Exists(spec.WorkingDirectory))
        {
            throw new ProcessStartException($"{spec.Name}: working directory '{spec.WorkingDirectory}' does not exist.");
        }

        var sandbox = spec with { FileName = bwrap, Arguments = Arguments(spec, program), User = null };
        return spec.Isolation.Network == NetworkMode.Isolated ? StartIsolatedAsync(sandbox, cancellationToken) : inner.StartAsync(sandbox, cancellationToken);
    }

    /// <inheritdoc />
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups) => inner.KillLeftover(pid, startTime, cgroups);

    // bwrap makes the directories above a bind point 0700, which an unprivileged user cannot pass through to reach its
    // own code: make them traversable first (the host's directories stay hidden, only their names are known).
    private static void AddParents(List<string> arguments, string path)
    {
        var parents = new List<string>();
        for (var parent = Path.GetDirectoryName(path); parent is not null && parent != "/"; parent = Path.GetDirectoryName(parent))
        {
            parents.Add(parent);
        }

        parents.Reverse();
        foreach (var parent in parents)
        {
            arguments.AddRange(["--perms", "0755", "--dir", parent]);
        }
    }

    /// <summary>bwrap's arguments for <paramref name="spec"/>, whose program resolved to <paramref name="program"/>; internal for tests.</summary>
    internal static List<string> Arguments(ProcessSpec spec, string program)
    {
        var workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
        var arguments = new List<string> { "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--hostname", CgroupFiles.Sanitize(spec.InstanceId ?? spec.Name) };
        if (spec.Isolation.Network == NetworkMode.Isolated)
        {
            // bwrap brings up loopback; the program waits on the gate until the veth is in (StartIsolatedAsync).
            arguments.AddRange(["--unshare-net", "--block-fd", GateFd]);
        }

        arguments.AddRange(["--ro-bind", "/usr", "/usr"]);
        foreach (var name in RootLinks)
        {
            var path = "/" + name;
            if (new FileInfo(path).LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, path]);
            }
            else if (Directory.Exists(path))
            {
                arguments.AddRange(["--ro-bind", path, path]);
            }
        }

        arguments.AddRange(["--ro-bind", StagedEtc.Directory, "/etc"]);

        // A private /tmp as the host's: writable by every user, sticky.
        arguments.AddRange(["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--tmpfs", "/tmp"]);
        if (Directory.Exists("/sys/fs/cgroup"))
        {
            // .NET (and the JVM, Go) size their heaps and thread pools from the cgroup files they find there.
            arguments.AddRange(["--ro-bind", "/sys/fs/cgroup", "/sys/fs/cgroup"]);
        }

        foreach (var directory in ProgramDirectories(spec, program, workingDirectory))
        {
            AddParents(arguments, directory);
            arguments.AddRange(["--ro-bind", directory, directory]);
        }

        AddParents(arguments, workingDirectory);
        arguments.AddRange([spec.Isolation.ReadOnlyWorkingDirectory ? "--ro-bind" : "--bind", workingDirectory, workingDirectory]);
        var state = Path.Combine(workingDirectory, ".shoal");
        if (Directory.Exists(state))
        {
            // A stack's directory holds the daemon's state (tokens, logs, the registry): an instance working there must not see it.
            arguments.AddRange(["--tmpfs", state, "--remount-ro", state]);
        }

        arguments.AddRange(["--chdir", workingDirectory, "--"]);
        if (spec.User is { } user)
        {
            arguments.AddRange(ProcessUsers.SwitchCommand(user));
        }

        arguments.Add(program);
        arguments.AddRange(spec.Arguments);
        return arguments;
    }

    /// <summary>Host directories the program needs besides /usr: its own and DOTNET_ROOT, when outside /usr and the working directory.</summary>
    private static IEnumerable<string> ProgramDirectories(ProcessSpec spec, string program, string workingDirectory)
    {
        var candidates = new List<string>();
        if (Path.GetDirectoryName(Path.GetFullPath(program)) is { } own)
        {
            candidates.Add(own);
        }

        if (spec.Environment.TryGetValue("DOTNET_ROOT", out var dotnet) || (dotnet = Environment.GetEnvironmentVariable("DOTNET_ROOT")) is not null)
        {
            candidates.Add(Path.GetFullPath(dotnet));
        }

        string[] covered = ["/usr", workingDirectory, .. RootLinks.Select(n => "/" + n)];
        return candidates
            .Where(Directory.Exists)
            .Where(d => !covered.Any(c => d == c || d.StartsWith(c + "/", StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal);
    }
}
