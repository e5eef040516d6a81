using System.CommandLine;
using Shoal.Cli.Hosting;
using Shoal.Cli.Output;
using Shoal.Hosting;
using Shoal.Orchestration.Lifecycle;
using Shoal.Orchestration.Stack;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal up</c>: starts the stack in the foreground, or detached with <c>-d</c> once it is healthy.</summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var file = CommonOptions.Files();
        var profile = CommonOptions.Profiles();
        var envFile = CommonOptions.EnvFile();
        var detach = new Option<bool>("--detach", "-d") { Description = "Start in the background and return once every service is healthy." };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the stack to become healthy.", DefaultValueFactory = _ => "120s" };
        var child = new Option<bool>("--daemon") { Hidden = true };
        var command = new Command("up", "Start the stack: services in dependency order, health-gated, behind the gateway.") { file, profile, envFile, detach, timeout, child };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var started = TimeProvider.System.GetTimestamp();
            // The stack file and its functions' files are read and validated once, here; every later step uses them.
            var files = result.GetValue(file) ?? [];
            var profiles = result.GetValue(profile) ?? [];
            var loaded = StackFiles.Load(files, result.GetValue(envFile), profiles);
            var stack = loaded.Stack;
            if (!Durations.TryParse(result.GetValue(timeout), out var wait))
            {
                throw new CliException($"--timeout: '{result.GetValue(timeout)}' is not a duration such as 90s or 2m");
            }

            if (result.GetValue(child))
            {
                return await new StackDaemon(await PreparedStack.PrepareAsync(loaded, _ => { }, ct)).RunAsync(started: null);
            }

            // Found by the daemon's lock, not only by the state file, which may be stale or corrupt.
            var status = StackStatus.Find(stack.StateDirectory);
            if (status.Daemon is not null || status.LockHeld)
            {
                var corrupt = status.Corruption is { } c ? $" ({c.Message})" : "";
                throw new CliException($"stack '{stack.Name}' is already running ({status.DaemonDescription}){corrupt}; 'shoal ps' shows it, 'shoal down' stops it.");
            }

            CommonOptions.WriteWarnings(stack.Warnings);
            var prepared = await PreparedStack.PrepareAsync(loaded, m => Console.Error.WriteLine(m), ct);
            return result.GetValue(detach)
                ? await UpDetachedAsync(stack, DaemonArguments(files, profiles, result.GetValue(envFile)), wait, started, ct)
                : await UpForegroundAsync(prepared, wait, started);
        }));
        return command;
    }

    private static async Task<int> UpForegroundAsync(PreparedStack prepared, TimeSpan wait, long started)
    {
        var stack = prepared.Loaded.Stack;
        var daemon = new StackDaemon(prepared);
        return await daemon.RunAsync(async (supervisor, stopping) =>
        {
            var logs = LogFollower.ForStack(stack.StateDirectory, name: null, Console.Out);
            logs.SkipExisting();
            var follow = logs.FollowAsync(stopping);
            var outcome = await HealthWait.WaitAsync(_ => Task.FromResult<StackSnapshot?>(supervisor.Snapshot()), () => false, wait, daemon.Stopping);
            if (!daemon.Stopping.IsCancellationRequested)
            {
                Report(stack, outcome, started);
            }

            await follow;
        });
    }

    // The daemon inherits this environment and starts in the stack's directory: files are named again by their full
    // paths, and none when none was given, so it finds the same file and override file.
    private static string[] DaemonArguments(string[] files, string[] profiles, string? envFile) =>
    [
        "up",
        .. files.SelectMany(f => new[] { "--file", Path.GetFullPath(f) }),
        .. profiles.SelectMany(p => new[] { "--profile", p }),
        .. envFile is null ? [] : new[] { "--env-file", Path.GetFullPath(envFile) },
        "--daemon",
    ];

    private static async Task<int> UpDetachedAsync(StackDefinition stack, string[] arguments, TimeSpan wait, long started, CancellationToken ct)
    {
        var daemonLog = Path.Combine(stack.StateDirectory, "shoal.log");
        using var daemon = DetachedLauncher.Start(arguments, daemonLog, stack.Directory);
        using var admin = AdminClient.For(stack);
        var outcome = await HealthWait.WaitAsync(admin.TryGetStackAsync, () => daemon.HasExited, wait, ct, () => admin.LastFailure);
        Report(stack, outcome, started);
        if (outcome.Healthy)
        {
            return 0;
        }

        if (daemon.HasExited)
        {
            await Console.Error.WriteLineAsync($"The stack daemon exited (code {daemon.ExitCode}); the end of {daemonLog}:");
            foreach (var line in Tail(daemonLog, 15))
            {
                await Console.Error.WriteLineAsync("  " + line);
            }
        }
        else
        {
            // A half-started detached stack helps nobody: stop what did start.
            await Console.Error.WriteLineAsync("Stopping the stack that did not become healthy.");
            Console.WriteLine(await StackShutdown.StopAsync(stack.StateDirectory, TimeSpan.FromSeconds(30), Console.Error.WriteLine, CancellationToken.None));
        }

        return 1;
    }

    private static void Report(StackDefinition stack, HealthWait.Outcome outcome, long started)
    {
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        if (outcome.Snapshot is { } snapshot)
        {
            StatusTable.Write(snapshot, stack.Gateway.Listen, TimeProvider.System);
        }

        if (outcome.Healthy)
        {
            Console.WriteLine($"stack '{stack.Name}' is up and healthy in {elapsed.TotalSeconds:0.0}s; gateway {stack.Gateway.Listen.Display()}, admin {stack.Gateway.Admin.Display()}");
            return;
        }

        Console.Error.WriteLine($"error: {outcome.Reason}");
        if (outcome.Snapshot?.Services.Select(s => s.Failure).FirstOrDefault(f => f is not null) is { } failed)
        {
            var log = Path.Combine(stack.StateDirectory, "logs", failed.Id + ".log");
            Console.Error.WriteLine($"The end of {log}:");
            foreach (var line in Tail(log, 10))
            {
                Console.Error.WriteLine("  " + line);
            }
        }
    }

    internal static IEnumerable<string> Tail(string file, int lines) =>
        File.Exists(file) ? File.ReadLines(file).TakeLast(lines) : [];
}
