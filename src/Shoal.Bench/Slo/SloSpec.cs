using System.Globalization;
using System.Text.RegularExpressions;
using Shoal.Bench.Results;

namespace Shoal.Bench.Slo;

/// <summary>
/// Service-level objectives such as <c>p99&lt;100ms,errors=0,rps&gt;=100</c>. Metrics: p50, p90, p95, p99, p99.9, max, mean
/// (durations: us, ms, s; a bare number is ms), errors (a count), error_rate (a fraction or a percentage), rps.
/// </summary>
public sealed partial record SloSpec(string Text, string Metric, string Operator, double Threshold)
{
    private static readonly string[] s_latency = ["p50", "p90", "p95", "p99", "p99.9", "max", "mean"];

    /// <summary>Parses a comma-separated list.</summary>
    /// <exception cref="FormatException">A clause cannot be read; the message says which and why.</exception>
    public static IReadOnlyList<SloSpec> ParseList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
    }

    private static SloSpec Parse(string clause)
    {
        var match = Clause().Match(clause);
        if (!match.Success)
        {
            throw new FormatException($"SLO '{clause}': expected METRIC OP VALUE, e.g. p99<100ms, errors=0, rps>=100");
        }

        var metric = match.Groups["metric"].Value.ToLowerInvariant();
        var op = match.Groups["op"].Value == "==" ? "=" : match.Groups["op"].Value;
        var number = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        double threshold;
        if (s_latency.Contains(metric))
        {
            threshold = unit switch
            {
                "" or "ms" => number,
                "us" or "µs" => number / 1000,
                "s" => number * 1000,
                _ => throw new FormatException($"SLO '{clause}': latency takes us, ms or s, not '{unit}'"),
            };
        }
        else if (metric is "errors" or "rps")
        {
            threshold = unit == "" ? number : throw new FormatException($"SLO '{clause}': {metric} takes a plain number");
        }
        else if (metric is "error_rate")
        {
            threshold = unit switch
            {
                "" => number,
                "%" => number / 100,
                _ => throw new FormatException($"SLO '{clause}': error_rate takes a fraction or a percentage"),
            };
        }
        else
        {
            throw new FormatException($"SLO '{clause}': unknown metric '{metric}'; use {string.Join(", ", s_latency)}, errors, error_rate or rps");
        }

        return new SloSpec(clause, metric, op, threshold);
    }

    /// <summary>
    /// Checks the objective against a result. Latency objectives are judged on successful responses: with none,
    /// there is no latency to judge and the objective is missed.
    /// </summary>
    public SloOutcome Evaluate(StepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (s_latency.Contains(Metric) && result.Ok == 0)
        {
            return new SloOutcome(Text, false, null, "no successful request");
        }

        var actual = Metric switch
        {
            "p50" => result.Latency.P50,
            "p90" => result.Latency.P90,
            "p95" => result.Latency.P95,
            "p99" => result.Latency.P99,
            "p99.9" => result.Latency.P999,
            "max" => result.Latency.Max,
            "mean" => result.Latency.Mean,
            "errors" => result.Errors,
            "error_rate" => result.ErrorRate,
            _ => result.Rps,
        };
        var met = Operator switch
        {
            "<" => actual < Threshold,
            "<=" => actual <= Threshold,
            ">" => actual > Threshold,
            ">=" => actual >= Threshold,
            _ => Math.Abs(actual - Threshold) < 1e-9,
        };
        return new SloOutcome(Text, met, actual, Describe(actual));
    }

    private string Describe(double actual) => Metric switch
    {
        "errors" => actual.ToString("0", CultureInfo.InvariantCulture),
        "rps" => actual.ToString("0.0", CultureInfo.InvariantCulture) + " req/s",
        "error_rate" => (actual * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%",
        _ => actual.ToString("0.###", CultureInfo.InvariantCulture) + "ms",
    };

    [GeneratedRegex(@"^(?<metric>[A-Za-z_]+[0-9.]*)\s*(?<op><=|>=|==|<|>|=)\s*(?<value>[0-9]+(\.[0-9]+)?)\s*(?<unit>[A-Za-zµ%]*)$")]
    private static partial Regex Clause();
}
