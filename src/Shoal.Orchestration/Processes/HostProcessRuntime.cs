using System.Diagnostics;

namespace Shoal.Orchestration.Processes;

/// <summary>Runs each process directly on the host, as the leader of its own session and process group, with output appended to its log file.</summary>
/// <remarks>
/// The child is started through <c>sh</c> and <c>setsid</c>, both of which exec in place, so the pid Shoal sees is the
/// program's own. Output goes straight to the log file rather than through a pipe, so a replica keeps running and
/// logging if the supervisor dies, and <c>shoal down</c> can still find and stop it by pid.
/// </remarks>
public sealed class HostProcessRuntime(TimeProvider timeProvider) : IProcessRuntime
{
    /// <summary>The runtime switch Shoal sets for its own sockets and keeps from the processes it starts.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private const string Launcher = "log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null";

    /// <inheritdoc />
    public string Name => "process";

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

        Directory.CreateDirectory(Path.GetDirectoryName(spec.LogFile)!);
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(Launcher);
        startInfo.ArgumentList.Add("shoal");
        startInfo.ArgumentList.Add(spec.LogFile);
        startInfo.ArgumentList.Add(program);
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The daemon's environment holds its secrets (the admin token) and its own runtime tuning: a child gets only
        // the base set, what it asks to inherit, and what its definition sets.
        startInfo.Environment.Clear();
        var daemon = System.Environment.GetEnvironmentVariables();
        var inherit = spec.Inherit.Concat(ChildEnvironment.LocaleNames(daemon));
        foreach (var (key, value) in ChildEnvironment.Build(spec.Environment, inherit, name => daemon[name] as string))
        {
            startInfo.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new ProcessStartException($"{spec.Name}: the process did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProcessStartException($"{spec.Name}: {ex.Message}", ex);
        }

        var startTime = ProcessIdentity.StartTimeOf(process.Id) ?? 0;
        return ValueTask.FromResult<IProcessHandle>(new HostProcessHandle(process, startTime, timeProvider));
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
        private readonly Process _process;
        private readonly TimeProvider _timeProvider;

        public HostProcessHandle(Process process, long startTime, TimeProvider timeProvider)
        {
            _process = process;
            _timeProvider = timeProvider;
            Pid = process.Id;
            StartTime = startTime;
            Exited = WaitAsync();
        }

        public int Pid { get; }

        public long StartTime { get; }

        public Task<int> Exited { get; }

        public void Signal(int signal) => PosixSignals.Send(-Pid, signal);

        public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
        {
            if (Exited.IsCompleted)
            {
                KillGroup();
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

            KillGroup();
            await Exited.ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            _process.Dispose();
            return ValueTask.CompletedTask;
        }

        // Children the program forked (a shell script's workers) share its group: leave none behind.
        private void KillGroup() => PosixSignals.Send(-Pid, PosixSignals.Kill);

        private async Task<int> WaitAsync()
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            return _process.ExitCode;
        }
    }
}
