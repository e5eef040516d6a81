using Shoal.Files;

namespace Shoal.Processes;

/// <summary>Runs each process directly on the host, as the leader of its own session and process group, with output appended to its log file.</summary>
/// <remarks>
/// The child is started (posix_spawn) as the leader of a new session, so the pid Shoal sees is the program's own.
/// Output goes straight to the log file (created 0600) rather than through a pipe, so a replica keeps running and
/// logging if the supervisor dies, and <c>shoal down</c> can still find and stop it by pid. With a
/// <see cref="ProcessScope"/>, each process joins its own cgroup (where there are cgroups) before its program runs and
/// carries the scope's marker, so stopping it also stops whatever it started, <c>setsid</c> escapees included. With a
/// <see cref="ProcessSpec.User"/> it drops to that user last, just before the program. Where it can (cgroup v1 or
/// none, x86_64 or arm64) the daemon does all of it on a throwaway thread and spawns the program itself
/// (<see cref="DirectSpawn"/>); otherwise a launcher does it in the child: <c>sh</c>, which execs <c>setpriv</c> for a
/// user, which execs the program.
/// </remarks>
/// <param name="timeProvider">The clock for stop grace periods.</param>
/// <param name="scope">The stack's scope, or null for none (processes are then stopped by process group only).</param>
public sealed class HostProcessRuntime(TimeProvider timeProvider, ProcessScope? scope = null) : IProcessRuntime
{
    /// <summary>The runtime switch Shoal sets for its own sockets and keeps from the processes it starts.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    // Where the direct spawn cannot: joins the scope's cgroup (when given) and the spec's cgroups before the exec, so the
    // program and all it forks are in them from the first instruction. One shell does it all (the session it leads comes
    // from the spawn): each program this chain execs costs a cold start its load.
    private const string Launcher = "log=$1; cg=$2; n=$3; shift 3; exec >>\"$log\" 2>&1 </dev/null; if [ -n \"$cg\" ]; then echo $$ > \"$cg/cgroup.procs\" || exit 125; fi; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || exit 125; shift; n=$((n-1)); done; exec \"$@\"";

    /// <inheritdoc />
    public string Name => "process";

    /// <summary>False to always start through the launcher (sh, setpriv); internal for tests.</summary>
    internal bool SpawnsDirectly { get; init; } = true;

    /// <inheritdoc />
    public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var program = ResolveProgram(spec.FileName, spec.WorkingDirectory, spec.Environment)
            ?? throw new ProcessStartException($"{spec.Name}: '{spec.FileName}' was not found (looked in {spec.WorkingDirectory} and on PATH).");
        if (!Directory.Exists(spec.WorkingDirectory))
        {
            throw new ProcessStartException($"{spec.Name}: working directory '{spec.WorkingDirectory}' does not exist.");
        }

        // The shell's >> would create the log with the umask's mode (often 0644): create it private first.
        PrivateFiles.Touch(spec.LogFile);
        string? marker = null;
        string? cgroup = null;
        if (scope is not null)
        {
            // A process that joins a cgroup of its own in the scope's hierarchy would leave the scope's at once: it gets the marker only.
            (marker, cgroup) = scope.Join(spec.Name, cgroup: !spec.JoinCgroups.Any(scope.SharesHierarchy));
        }

        // The daemon's environment holds its secrets (the admin token) and its own runtime tuning: a child gets only
        // the base set, what it asks to inherit, and what its definition sets.
        var daemon = System.Environment.GetEnvironmentVariables();
        var inherit = spec.Inherit.Concat(ChildEnvironment.LocaleNames(daemon));
        var environment = ChildEnvironment.Build(spec.Environment, inherit, name => daemon[name] as string);
        if (marker is not null)
        {
            environment[ProcessScope.Variable] = marker;
        }

        int pid;
        try
        {
            IReadOnlyList<string> joins = cgroup is null ? spec.JoinCgroups : [Path.Combine(cgroup, "cgroup.procs"), .. spec.JoinCgroups];
            pid = (SpawnsDirectly ? DirectSpawn.TryStart(program, spec.Arguments, environment, spec.WorkingDirectory, spec.LogFile, joins, spec.User) : null)
                ?? PosixSpawn.Start("/bin/sh", LauncherArguments(spec, program, cgroup), environment, spec.WorkingDirectory);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            if (marker is not null)
            {
                scope!.Sweep(marker, cgroup);
            }

            throw new ProcessStartException($"{spec.Name}: {ex.Message}", ex);
        }

        var startTime = ProcessIdentity.StartTimeOf(pid) ?? 0;
        var sweep = marker is null ? null : new Action(() => scope!.Sweep(marker, cgroup));
        return ValueTask.FromResult<IProcessHandle>(new HostProcessHandle(pid, startTime, sweep, timeProvider));
    }

    private static List<string> LauncherArguments(ProcessSpec spec, string program, string? cgroup)
    {
        List<string> arguments = ["-c", Launcher, "shoal", spec.LogFile, cgroup ?? "", spec.JoinCgroups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. spec.JoinCgroups];

        // The user switch comes after the cgroup join (which needs root) and the log's opening (the file stays root's).
        arguments.AddRange(spec.User is { } user ? ProcessUsers.HostSwitchCommand(user) : []);
        arguments.Add(program);
        arguments.AddRange(spec.Arguments);
        return arguments;
    }

    /// <inheritdoc />
    /// <remarks>This runtime makes no cgroups of its own: a process's scope cgroup goes with <see cref="ProcessScope.SweepAll"/>.</remarks>
    public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups)
    {
        if (ProcessIdentity.IsAlive(pid, startTime))
        {
            PosixSignals.Send(-pid, PosixSignals.Cont);
            PosixSignals.Send(-pid, PosixSignals.Kill);
        }
    }

    /// <summary>Resolves a program the way execvp would, so a missing one is reported before anything starts.</summary>
    public static string? ResolveProgram(string fileName, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        if (fileName.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(Path.Combine(workingDirectory, fileName));
            return File.Exists(path) ? path : null;
        }

        var searchPath = environment.TryGetValue("PATH", out var p) ? p : Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var directory in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed class HostProcessHandle : IProcessHandle
    {
        // The waiting thread does nothing but block in waitpid: a small stack.
        private const int WaiterStackSize = 128 * 1024;

        private readonly Action? _sweep;
        private readonly TimeProvider _timeProvider;

        public HostProcessHandle(int pid, long startTime, Action? sweep, TimeProvider timeProvider)
        {
            _sweep = sweep;
            _timeProvider = timeProvider;
            Pid = pid;
            StartTime = startTime;
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() => exited.SetResult(PosixSpawn.Wait(pid)), WaiterStackSize) { IsBackground = true, Name = "shoal-wait" }.UnsafeStart();
            Exited = exited.Task;
        }

        public int Pid { get; }

        public long StartTime { get; }

        public Task<int> Exited { get; }

        public void Signal(int signal) => PosixSignals.Send(-Pid, signal);

        public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
        {
            if (Exited.IsCompleted)
            {
                KillTree();
                return;
            }

            // A stopped (SIGSTOP) process cannot act on SIGTERM until it is continued.
            Signal(PosixSignals.Term);
            Signal(PosixSignals.Cont);
            try
            {
                await Exited.WaitAsync(grace, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            KillTree();
            await Exited.ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            // A process that is gone takes what it started with it: an escapee of a crashed replica would otherwise
            // hold its port against the restart.
            if (Exited.IsCompleted)
            {
                KillTree();
            }

            return ValueTask.CompletedTask;
        }

        // Children the program forked (a shell script's workers) share its group; those that left it (setsid) are
        // still in its cgroup and carry its marker: leave none behind.
        private void KillTree()
        {
            PosixSignals.Send(-Pid, PosixSignals.Kill);
            _sweep?.Invoke();
        }
    }
}
