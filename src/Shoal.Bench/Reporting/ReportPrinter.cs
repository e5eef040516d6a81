using System.Globalization;
using Shoal.Bench.Results;
using Shoal.Bench.Transport;
using Spectre.Console;

namespace Shoal.Bench.Reporting;

/// <summary>The final report: summary, latency, errors, distribution, watched processes, SLOs.</summary>
public static class ReportPrinter
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Writes the report to <paramref name="console"/>.</summary>
    public static void Print(BenchResult result, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(console);
        var total = result.Total;
        console.MarkupLine($"[bold]{Markup.Escape(result.Plan.Method)} {Markup.Escape(result.Plan.Url)}[/]");
        console.WriteLine(string.Create(s_inv,
            $"{total.Requests:N0} requests in {total.DurationSeconds:0.00}s: {total.Rps:N1} req/s, {total.Errors:N0} errors ({total.ErrorRate * 100:0.###}%), {total.Model} loop, {total.Connections} connections"));
        if (total.Unsent > 0)
        {
            console.MarkupLine(string.Create(s_inv,
                $"[yellow]{total.Unsent:N0} requests fell due but were never sent: the target answered too slowly for {total.Connections} connections to keep up with the rate (their wait is not in the latency figures; add connections or lower the rate)[/]"));
        }

        var latency = new Table().Border(TableBorder.Rounded).Title("latency (ms), successful responses");
        foreach (var column in new[] { "p50", "p90", "p95", "p99", "p99.9", "max", "mean", "stdev" })
        {
            latency.AddColumn(new TableColumn(column).RightAligned());
        }

        var l = total.Latency;
        latency.AddRow(new[] { l.P50, l.P90, l.P95, l.P99, l.P999, l.Max, l.Mean, l.StdDev }.Select(Ms).ToArray());
        console.Write(latency);

        if (result.Steps.Count > 1)
        {
            var steps = new Table().Border(TableBorder.Rounded).Title("steps");
            foreach (var column in new[] { "step", "model", "conns", "requests", "req/s", "p50", "p99", "errors" })
            {
                steps.AddColumn(column);
            }

            foreach (var s in result.Steps)
            {
                var name = result.Plan.Steps.FirstOrDefault(p => p.Name == s.Name) is { Record: false } ? s.Name + " (warm-up)" : s.Name;
                steps.AddRow(Markup.Escape(name), s.Model, s.Connections.ToString(s_inv), s.Requests.ToString("N0", s_inv), s.Rps.ToString("N1", s_inv), Ms(s.Latency.P50), Ms(s.Latency.P99), s.Errors.ToString("N0", s_inv));
            }

            console.Write(steps);
        }

        console.MarkupLine("status codes: " + Markup.Escape(string.Join(", ", total.StatusCodes.OrderBy(kv => kv.Key).Select(kv => string.Create(s_inv, $"{kv.Key}: {kv.Value:N0}")))));
        if (total.Errors > 0)
        {
            var errors = new Table().Border(TableBorder.Rounded).Title("errors");
            errors.AddColumn("kind").AddColumn(new TableColumn("count").RightAligned()).AddColumn("first seen");
            foreach (var (kind, count) in total.ErrorsByKind.OrderByDescending(kv => kv.Value))
            {
                var label = kind == ErrorKind.Status
                    ? "status " + string.Join("/", total.StatusCodes.Keys.Where(c => c >= 400).Order())
                    : ErrorNames.Of(kind);
                errors.AddRow(Markup.Escape(label), count.ToString("N0", s_inv), Markup.Escape(result.ErrorSamples.GetValueOrDefault(kind) ?? string.Empty));
            }

            console.Write(errors);
        }

        if (total.Distribution.Count > 0)
        {
            console.MarkupLine($"distribution by {Markup.Escape(result.Plan.Count.Describe())}:");
            var distribution = new Table().Border(TableBorder.Rounded);
            distribution.AddColumn("value").AddColumn(new TableColumn("responses").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            var counted = total.Distribution.Values.Sum();
            foreach (var (key, count) in total.Distribution.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                distribution.AddRow(Markup.Escape(key), count.ToString("N0", s_inv), (100.0 * count / counted).ToString("0.0", s_inv) + "%");
            }

            console.Write(distribution);
        }

        if (result.Watch.Count > 0)
        {
            var watch = new Table().Border(TableBorder.Rounded).Title("watched processes (start / peak / end)");
            watch.AddColumn("pid").AddColumn("CPU %").AddColumn("mean CPU %").AddColumn("RSS MB").AddColumn("open fds");
            foreach (var w in result.Watch)
            {
                watch.AddRow(
                    w.Pid.ToString(s_inv) + (w.Exited ? " (exited)" : string.Empty),
                    Triple(w.CpuPercent, 1),
                    w.CpuPercent.Mean.ToString("0.0", s_inv),
                    Triple(w.RssBytes with { Start = w.RssBytes.Start / 1048576, Peak = w.RssBytes.Peak / 1048576, End = w.RssBytes.End / 1048576 }, 1),
                    Triple(w.OpenFiles, 0));
            }

            console.Write(watch);
        }

        console.WriteLine(string.Create(s_inv, $"generator CPU: {result.GeneratorCpuSeconds:0.00}s ({(total.Requests > 0 ? result.GeneratorCpuSeconds * 1e6 / total.Requests : 0):0.0} µs per request)"));
        foreach (var slo in result.Slo)
        {
            console.MarkupLine(slo.Met
                ? $"SLO [green]met[/]    {Markup.Escape(slo.Objective)} (actual {Markup.Escape(slo.ActualText)})"
                : $"SLO [red]MISSED[/] {Markup.Escape(slo.Objective)} (actual {Markup.Escape(slo.ActualText)})");
        }
    }

    private static string Ms(double value) => value.ToString(value < 10 ? "0.###" : "0.#", s_inv);

    private static string Triple(Watch.WatchFigures figures, int decimals)
    {
        var format = decimals == 0 ? "0" : "0." + new string('0', decimals);
        return $"{figures.Start.ToString(format, s_inv)} / {figures.Peak.ToString(format, s_inv)} / {figures.End.ToString(format, s_inv)}";
    }
}
