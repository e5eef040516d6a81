using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Shoal.Hosting;
using Shoal.Cli.Hosting;
using Shoal.Cli.Output;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal logs</c>: the output of replicas and function instances, each line prefixed with the instance. Here
/// <c>-f</c> is <c>--follow</c> (as in <c>tail</c>, <c>docker logs</c>, <c>kubectl logs</c>) and the stack file is
/// <c>--file</c>; a stack file given where the service goes (<c>shoal logs -f x.yml</c>, the other commands' habit) is
/// taken as the stack file instead of as a service named <c>x.yml</c>.
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file") { Description = "The stack file (default: shoal.yml in the current directory)." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until Ctrl-C." };
        var tail = new Option<int?>("--tail", "-n") { Description = "Print only the last N lines of each instance first." };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show when each line was written (UTC; to the second)." };
        var since = new Option<string?>("--since") { Description = "Only lines written since a duration ago (10m, 1h30m) or a time (RFC 3339, e.g. 2026-12-01T06:00:00Z)." };
        var grep = new Option<string?>("--grep") { Description = "Only lines matching this regular expression (.NET syntax)." };
        var service = new Argument<string?>("service") { Description = "Only this service's replicas, this function's instances, or this one replica (web-1).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logs", "Print the output of the stack's replicas and function instances.") { service, file, follow, tail, timestamps, since, grep };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var (stackFile, name) = StackFileOrService(result.GetValue(file), result.GetValue(service));
            var filter = new LogFilter(ParseSince(result.GetValue(since), TimeProvider.System.GetUtcNow()), ParseGrep(result.GetValue(grep)), result.GetValue(timestamps));
            var logs = LogFollower.ForStack(StackFiles.StateDirectory(stackFile), name, Console.Out, filter);
            logs.PrintExisting(result.GetValue(tail));
            if (result.GetValue(follow))
            {
                await logs.FollowAsync(ct);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>A YAML file named where the service goes is the stack file (no service or function name has a dot).</summary>
    internal static (string? File, string? Service) StackFileOrService(string? file, string? service)
    {
        var looksLikeFile = service is not null
            && (service.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || service.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase));
        if (!looksLikeFile)
        {
            return (file, service);
        }

        if (file is not null)
        {
            throw new CliException($"'{service}' is a stack file, and --file names one already; give the service or function by name.");
        }

        if (!File.Exists(service))
        {
            throw new CliException($"{service}: no such stack file (on logs, -f means --follow; the stack file is --file).");
        }

        return (service, null);
    }

    /// <summary>A duration ago (<c>10m</c>) or an RFC 3339 time.</summary>
    internal static DateTimeOffset? ParseSince(string? text, DateTimeOffset now)
    {
        if (text is null)
        {
            return null;
        }

        if (Durations.TryParse(text, out var ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new CliException($"--since '{text}': give a duration (10s, 5m, 1h30m) or an RFC 3339 time (2026-12-01T06:00:00Z).");
    }

    private static Regex? ParseGrep(string? pattern)
    {
        if (pattern is null)
        {
            return null;
        }

        try
        {
            // A pattern that backtracks without end must not hang the command on a big log.
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--grep '{pattern}': {ex.Message}");
        }
    }
}
