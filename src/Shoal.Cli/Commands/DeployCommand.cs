using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Shoal.Cli.Hosting;
using Shoal.Text;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal deploy canary|blue-green|switch|promote|rollback|pause|resume|status SERVICE</c>.</summary>
internal static class DeployCommand
{
    public static Command Create()
    {
        var command = new Command("deploy", "Roll out a new version of a service: canary steps with automatic analysis, or blue/green.");
        command.Subcommands.Add(Start("canary", "Start a canary: the new version takes a growing share, judged at each step, rolled back by itself on a breach."));
        command.Subcommands.Add(Start("blue-green", "Start the new version with no traffic (preview with 'x-canary: always'); 'switch' moves all traffic at once."));
        command.Subcommands.Add(Start("rolling", "Replace the replicas a few at a time, each new one health-gated before an old one drains."));
        foreach (var (name, help) in new[]
        {
            ("switch", "Blue/green: send all traffic to the new version; the old one stays warm for rollback."),
            ("promote", "Make the new version the service's version now."),
            ("rollback", "Send all traffic back to the stable version at once; drain and stop the new one."),
            ("pause", "Hold a canary at its current step."),
            ("resume", "Let a paused canary go on."),
        })
        {
            command.Subcommands.Add(Operation(name, help));
        }

        command.Subcommands.Add(Status());
        return command;
    }

    private static Command Start(string type, string description)
    {
        var file = CommonOptions.File();
        var service = new Argument<string>("service") { Description = "The service to deploy." };
        var version = new Option<string>("--version") { Description = "The new version.", Required = true };
        var weight = new Option<int?>("--weight") { Description = "Hold the canary at this share (percent) until promoted or rolled back." };
        var steps = new Option<string?>("--steps") { Description = "Canary weights, e.g. 5,20,50,100 (the last 100 promotes by itself)." };
        var interval = new Option<string?>("--interval") { Description = "How long each step lasts before it is judged (default 30s)." };
        var replicas = new Option<int?>("--replicas") { Description = "Replicas of the new version (default: 1 for a canary, the stable count for blue/green)." };
        var env = new Option<string[]>("--env") { Description = "KEY=VALUE laid over the service's environment (repeatable)." };
        var run = new Option<string?>("--command") { Description = "The command the new version runs (default: the service's)." };
        var maxErrors = new Option<string?>("--max-error-rate") { Description = "Roll back above this 5xx share, e.g. 5% (default 5%)." };
        var maxP99 = new Option<string?>("--max-p99") { Description = "Roll back above this p99, e.g. 300ms." };
        var minRequests = new Option<int?>("--min-requests") { Description = "Judge a step only after this many canary requests (default 20)." };
        var keepOld = new Option<string?>("--keep-old") { Description = "Blue/green: keep the old version warm this long after switch (default 5m)." };
        var maxSurge = new Option<int?>("--max-surge") { Description = "Rolling: new replicas started at a time above the desired count (default 1)." };
        var maxUnavailable = new Option<int?>("--max-unavailable") { Description = "Rolling: old replicas that may stop before their replacements are healthy (default 0)." };
        var command = new Command(type, description) { service, file, version, weight, steps, interval, replicas, env, run, maxErrors, maxP99, minRequests, keepOld, maxSurge, maxUnavailable };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(env) ?? [])
            {
                var parts = pair.Split('=', 2);
                environment[parts.Length == 2 && parts[0].Length > 0 ? parts[0] : throw new CliException($"--env: '{pair}' is not KEY=VALUE")] = parts[1];
            }

            List<int>? stepList = null;
            if (result.GetValue(steps) is { } text)
            {
                stepList = [];
                foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    stepList.Add(int.TryParse(part.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : throw new CliException($"--steps: '{part}' is not a weight"));
                }
            }

            var body = new
            {
                Type = type,
                Version = result.GetValue(version),
                Command = result.GetValue(run) is { } c ? CommandLineSplitter.Split(c) : null,
                Env = environment.Count > 0 ? environment : null,
                Replicas = result.GetValue(replicas),
                Steps = stepList,
                Weight = result.GetValue(weight),
                Interval = result.GetValue(interval),
                KeepOld = result.GetValue(keepOld),
                MaxSurge = result.GetValue(maxSurge),
                MaxUnavailable = result.GetValue(maxUnavailable),
                Analysis = new { MaxErrorRate = result.GetValue(maxErrors), MaxP99 = result.GetValue(maxP99), MinRequests = result.GetValue(minRequests) },
            };
            var (_, admin) = RunningStack.Connect(result.GetValue(file));
            using (admin)
            {
                Print(await admin.SendAsync(HttpMethod.Post, $"/v1/services/{Uri.EscapeDataString(result.GetValue(service)!)}/deployments", body, ct));
            }

            return 0;
        }));
        return command;
    }

    private static Command Operation(string name, string description)
    {
        var file = CommonOptions.File();
        var service = new Argument<string>("service") { Description = "The service." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the deployment's history." };
        var command = new Command(name, description) { service, file, reason };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var (_, admin) = RunningStack.Connect(result.GetValue(file));
            using (admin)
            {
                var why = result.GetValue(reason) is { } r ? $"?reason={Uri.EscapeDataString(r)}" : "";
                Print(await admin.SendAsync(HttpMethod.Post, $"/v1/services/{Uri.EscapeDataString(result.GetValue(service)!)}/deployments/{name}{why}", null, ct));
            }

            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var file = CommonOptions.File();
        var service = new Argument<string>("service") { Description = "The service." };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON." };
        var command = new Command("status", "Show a service's current or last deployment and its history.") { service, file, json };
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var (_, admin) = RunningStack.Connect(result.GetValue(file));
            using (admin)
            {
                var answer = await admin.SendAsync(HttpMethod.Get, $"/v1/services/{Uri.EscapeDataString(result.GetValue(service)!)}/deployments", null, ct);
                if (result.GetValue(json))
                {
                    Console.WriteLine(answer.GetRawText());
                }
                else if (answer.GetProperty("deployment").ValueKind == JsonValueKind.Null)
                {
                    Console.WriteLine($"no deployment of {result.GetValue(service)}");
                }
                else
                {
                    Print(answer.GetProperty("deployment"));
                }
            }

            return 0;
        }));
        return command;
    }

    private static void Print(JsonElement d)
    {
        Console.WriteLine($"{d.GetProperty("service").GetString()}: {d.GetProperty("type").GetString()} {d.GetProperty("stable").GetString()} → {d.GetProperty("version").GetString()}, {d.GetProperty("phase").GetString()}, weight {d.GetProperty("weight").GetInt32()}%");
        if (d.GetProperty("reason").GetString() is { } reason)
        {
            Console.WriteLine($"  reason: {reason}");
        }

        foreach (var r in d.GetProperty("history").EnumerateArray())
        {
            Console.WriteLine($"  {r.GetProperty("at").GetDateTimeOffset():HH:mm:ss} {r.GetProperty("actor").GetString()}: {r.GetProperty("action").GetString()} ({r.GetProperty("weight").GetInt32()}%) {r.GetProperty("reason").GetString()}");
        }
    }
}
