using System.CommandLine;
using System.Globalization;
using Shoal.Bench;
using Shoal.Bench.Engine;
using Shoal.Bench.Reporting;
using Shoal.Bench.Results;
using Shoal.Bench.Scenarios;
using Shoal.Bench.Transport;
using Shoal.Cli.Hosting;
using Shoal.Text;
using Spectre.Console;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal bench</c>: load with honest latency (coordinated omission corrected in open loop), per-instance distribution, SLO gates.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var url = new Argument<string?>("url") { Description = "The URL to load ({{n}} = request number, {{client}} = connection index).", Arity = ArgumentArity.ZeroOrOne };
        var connections = new Option<int>("--connections", "-c") { Description = "Concurrent connections.", DefaultValueFactory = _ => 10 };
        var rate = new Option<string?>("--rate", "-R") { Description = "Open loop: requests per second (e.g. 200 or 200/s); latency counts from each request's intended start." };
        var think = new Option<string?>("--think") { Description = "Closed loop: pause between a response and the next request, e.g. 10ms." };
        var duration = new Option<string?>("--duration", "-d") { Description = "How long to run, e.g. 30s (default 10s)." };
        var requests = new Option<long?>("--requests", "-n") { Description = "Send exactly this many requests instead." };
        var warmup = new Option<string?>("--warmup") { Description = "Run this long first, excluded from the results, e.g. 3s." };
        var method = new Option<string>("--method", "-m") { Description = "HTTP method.", DefaultValueFactory = _ => "GET" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A request header 'Name: value' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var body = new Option<string?>("--body") { Description = "The request body." };
        var bodyFile = new Option<string?>("--body-file") { Description = "Read the request body from a file." };
        var http2 = new Option<bool>("--http2") { Description = "Use HTTP/2 (prior knowledge over http://)." };
        var timeout = new Option<string>("--timeout") { Description = "A request that takes longer counts as a timeout.", DefaultValueFactory = _ => "10s" };
        var countHeader = new Option<string?>("--count-header") { Description = "Count responses per value of this header (default x-shoal-instance, when present)." };
        var countField = new Option<string?>("--count-field") { Description = "Count responses per value of this top-level JSON field, e.g. container." };
        var watch = new Option<int[]>("--watch-pid") { Description = "Sample CPU, RSS and open files of this process during the run (repeatable)." };
        var slo = new Option<string?>("--slo") { Description = "Exit 1 unless these hold, e.g. 'p99<100ms,errors=0,rps>=100'." };
        var json = new Option<string?>("--json") { Description = "Write every figure and the full histogram to this file." };
        var scenario = new Option<string?>("--scenario") { Description = "Run the steps of a bench.yml scenario (the URL argument and options above override it)." };

        var command = new Command("bench", "Load a URL and report latency percentiles, throughput, errors by kind and the spread over instances.")
        {
            url, connections, rate, think, duration, requests, warmup, method, headers, body, bodyFile, http2, timeout, countHeader, countField, watch, slo, json, scenario,
        };
        command.Subcommands.Add(CreateCompare());
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var plan = result.GetValue(scenario) is { } scenarioFile ? ScenarioLoader.Load(scenarioFile) : null;
            var target = result.GetValue(url) ?? plan?.Url ?? throw new CliException("give a URL to load (or --scenario FILE)");
            if (!Uri.TryCreate(target.Replace("{{n}}", "0", StringComparison.Ordinal).Replace("{{client}}", "0", StringComparison.Ordinal), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                throw new CliException($"'{target}' is not an http:// or https:// URL");
            }

            var requestBody = result.GetValue(body) ?? (result.GetValue(bodyFile) is { } file ? ReadBody(file) : null);
            plan = (plan ?? new BenchPlan { Url = target, Steps = [] }) with
            {
                Url = target,
                Method = Given(result, method) ? result.GetValue(method)! : plan?.Method ?? "GET",
                Headers = result.GetValue(headers) is { Length: > 0 } h ? h.Select(ParseHeader).ToList() : plan?.Headers ?? [],
                Body = requestBody ?? plan?.Body,
                Timeout = Given(result, timeout) || plan is null ? Duration(result.GetValue(timeout)!, "--timeout") : plan.Timeout,
                Http2 = result.GetValue(http2) || (plan?.Http2 ?? false),
                Count = result.GetValue(countField) is { } field ? new CountSpec(null, field)
                    : result.GetValue(countHeader) is { } header ? new CountSpec(header, null)
                    : plan?.Count ?? CountSpec.Default,
                WatchPids = [.. plan?.WatchPids ?? [], .. result.GetValue(watch) ?? []],
                Slo = result.GetValue(slo) ?? plan?.Slo,
            };
            if (result.GetValue(scenario) is null)
            {
                plan = plan with { Steps = StepsFromOptions(result, connections, rate, think, duration, requests, warmup) };
            }

            try
            {
                Shoal.Bench.Slo.SloSpec.ParseList(plan.Slo);
            }
            catch (FormatException ex)
            {
                throw new CliException("--slo: " + ex.Message);
            }

            BenchResult outcome;
            try
            {
                outcome = await new LoadRunner(TimeProvider.System).RunAsync(plan, ConsoleProgress.ForConsole(), ct);
            }
            catch (BenchTransportException ex)
            {
                throw new CliException(ex.Message);
            }

            ReportPrinter.Print(outcome, AnsiConsole.Console);
            if (result.GetValue(json) is { } jsonPath)
            {
                ResultJson.Write(outcome, jsonPath);
                Console.WriteLine($"results written to {jsonPath}");
            }

            return outcome.Slo.All(s => s.Met) ? 0 : 1;
        }));
        return command;
    }

    private static Command CreateCompare()
    {
        var a = new Argument<string>("a") { Description = "The baseline --json file." };
        var b = new Argument<string>("b") { Description = "The --json file to compare with it." };
        var compare = new Command("compare", "Show how two --json results differ: throughput, latency percentiles, errors.") { a, b };
        compare.SetAction(result => CommandRunner.RunAsync(() =>
        {
            try
            {
                CompareReport.Print(ResultJson.ReadFigures(result.GetValue(a)!), ResultJson.ReadFigures(result.GetValue(b)!), AnsiConsole.Console);
            }
            catch (Exception ex) when (ex is FormatException or IOException)
            {
                throw new CliException(ex.Message);
            }

            return Task.FromResult(0);
        }));
        return compare;
    }

    private static List<BenchStep> StepsFromOptions(ParseResult result, Option<int> connections, Option<string?> rate, Option<string?> think, Option<string?> duration, Option<long?> requests, Option<string?> warmup)
    {
        var conns = result.GetValue(connections);
        if (conns is < 1 or > 10_000)
        {
            throw new CliException("--connections must be from 1 to 10000");
        }

        double? perSecond = null;
        if (result.GetValue(rate) is { } rateText)
        {
            var number = rateText.EndsWith("/s", StringComparison.Ordinal) ? rateText[..^2] : rateText;
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r <= 0)
            {
                throw new CliException($"--rate: '{rateText}' is not requests per second such as 200 or 200/s");
            }

            perSecond = r;
        }

        var count = result.GetValue(requests);
        if (count is < 1)
        {
            throw new CliException("--requests must be at least 1");
        }

        if (count is not null && result.GetValue(duration) is not null)
        {
            throw new CliException("give either --duration or --requests, not both");
        }

        var main = new BenchStep
        {
            Name = "main",
            Connections = conns,
            Rate = perSecond,
            Think = result.GetValue(think) is { } t ? Duration(t, "--think") : TimeSpan.Zero,
            Requests = count,
            Duration = count is null ? Duration(result.GetValue(duration) ?? "10s", "--duration") : null,
        };
        if (result.GetValue(warmup) is not { } warm)
        {
            return [main];
        }

        var warmDuration = Duration(warm, "--warmup");
        return warmDuration == TimeSpan.Zero
            ? [main]
            : [main with { Name = "warmup", Record = false, Requests = null, Duration = warmDuration }, main];
    }

    private static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static TimeSpan Duration(string text, string option) =>
        Durations.TryParse(text, out var value) ? value : throw new CliException($"{option}: '{text}' is not a duration such as 500ms, 10s or 1m");

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new CliException($"-H: '{header}' is not 'Name: value'");
        }

        return new KeyValuePair<string, string>(header[..colon].Trim(), header[(colon + 1)..].Trim());
    }

    private static string ReadBody(string file) =>
        File.Exists(file) ? File.ReadAllText(file) : throw new CliException($"--body-file: no file at '{file}'");
}
