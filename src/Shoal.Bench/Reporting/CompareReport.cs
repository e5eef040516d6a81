using System.Globalization;
using Shoal.Bench.Results;
using Spectre.Console;

namespace Shoal.Bench.Reporting;

/// <summary><c>bench compare A.json B.json</c>: each figure of B against A, with the change and whether it is better.</summary>
public static class CompareReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Prints the comparison.</summary>
    public static void Print(ResultFigures a, ResultFigures b, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(Path.GetFileName(a.Path))} → {Markup.Escape(Path.GetFileName(b.Path))}");
        table.AddColumn("figure").AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned())
            .AddColumn(new TableColumn("delta").RightAligned()).AddColumn(new TableColumn("change").RightAligned());
        Row(table, "req/s", a.Rps, b.Rps, higherIsBetter: true, "N1");
        Row(table, "requests", a.Requests, b.Requests, higherIsBetter: true, "N0");
        Row(table, "errors", a.Errors, b.Errors, higherIsBetter: false, "N0");
        Row(table, "p50 ms", a.Latency.P50, b.Latency.P50, higherIsBetter: false, "0.###");
        Row(table, "p90 ms", a.Latency.P90, b.Latency.P90, higherIsBetter: false, "0.###");
        Row(table, "p95 ms", a.Latency.P95, b.Latency.P95, higherIsBetter: false, "0.###");
        Row(table, "p99 ms", a.Latency.P99, b.Latency.P99, higherIsBetter: false, "0.###");
        Row(table, "p99.9 ms", a.Latency.P999, b.Latency.P999, higherIsBetter: false, "0.###");
        Row(table, "max ms", a.Latency.Max, b.Latency.Max, higherIsBetter: false, "0.###");
        Row(table, "mean ms", a.Latency.Mean, b.Latency.Mean, higherIsBetter: false, "0.###");
        console.Write(table);
    }

    private static void Row(Table table, string name, double a, double b, bool higherIsBetter, string format)
    {
        var delta = b - a;
        var change = a == 0 ? (b == 0 ? "0%" : "n/a") : (delta / a * 100).ToString("+0.0;-0.0;0", s_inv) + "%";
        var colour = delta == 0 ? "grey" : (delta > 0) == higherIsBetter ? "green" : "red";
        table.AddRow(name, a.ToString(format, s_inv), b.ToString(format, s_inv), $"[{colour}]{Delta(a, b, format)}[/]", $"[{colour}]{change}[/]");
    }

    /// <summary>
    /// <paramref name="b"/> − <paramref name="a"/> in <paramref name="format"/> with its sign, e.g. <c>+1.0</c>,
    /// <c>-3,805</c>, or <c>0</c> when it rounds to nothing. The sign is added by hand: a standard format such as
    /// <c>N1</c> inside a custom <c>+…;-…</c> pattern prints its letters literally.
    /// </summary>
    internal static string Delta(double a, double b, string format)
    {
        var magnitude = Math.Abs(b - a).ToString(format, s_inv);
        if (magnitude.All(c => c is '0' or '.' or ','))
        {
            return "0";
        }

        return (b > a ? "+" : "-") + magnitude;
    }
}
