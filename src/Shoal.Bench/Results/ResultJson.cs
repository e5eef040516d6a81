using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HdrHistogram;
using Shoal.Bench.Reporting;
using Shoal.Bench.Watch;

namespace Shoal.Bench.Results;

/// <summary>The <c>--json</c> file: every figure, per step and in total, with the full latency histogram (percentile table and HdrHistogram log).</summary>
public static class ResultJson
{
    /// <summary>The schema id written into every file.</summary>
    public const string Schema = "shoal.bench/v1";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>The result as a JSON document.</summary>
    public static JsonObject ToJson(BenchResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["schema"] = Schema,
            ["started_at"] = result.StartedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["target"] = new JsonObject
            {
                ["url"] = result.Plan.Url,
                ["method"] = result.Plan.Method,
                ["http_version"] = result.Plan.Http2 ? "2" : "1.1",
                ["timeout_ms"] = result.Plan.Timeout.TotalMilliseconds,
            },
            ["counted_by"] = result.Plan.Count.Describe(),
            ["total"] = Step(result.Total, recorded: true, result.StartedAt),
            ["steps"] = new JsonArray(result.Steps.Select((s, i) => (JsonNode)Step(s, result.Plan.Steps[i].Record, result.StartedAt)).ToArray()),
            ["watch"] = new JsonArray(result.Watch.Select(w => (JsonNode)new JsonObject
            {
                ["pid"] = w.Pid,
                ["exited"] = w.Exited,
                ["cpu_percent"] = Figures(w.CpuPercent),
                ["rss_bytes"] = Figures(w.RssBytes),
                ["open_fds"] = Figures(w.OpenFiles),
            }).ToArray()),
            ["generator"] = new JsonObject
            {
                ["cpu_seconds"] = result.GeneratorCpuSeconds,
                ["cpu_us_per_request"] = result.Total.Requests > 0 ? result.GeneratorCpuSeconds * 1e6 / result.Total.Requests : 0,
            },
            ["slo"] = new JsonArray(result.Slo.Select(s => (JsonNode)new JsonObject
            {
                ["objective"] = s.Objective,
                ["met"] = s.Met,
                ["actual"] = s.Actual,
            }).ToArray()),
            ["error_samples"] = new JsonObject(result.ErrorSamples.Select(kv => KeyValuePair.Create(ErrorNames.Of(kv.Key), (JsonNode?)kv.Value))),
        };
    }

    /// <summary>Writes the result to a file.</summary>
    public static void Write(BenchResult result, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, ToJson(result).ToJsonString(s_indented));
    }

    /// <summary>Reads the headline figures of a result file.</summary>
    /// <exception cref="FormatException">The file is not a shoal bench result.</exception>
    public static ResultFigures ReadFigures(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not JSON ({ex.Message})", ex);
        }

        if (root?["schema"]?.GetValue<string>() != Schema || root["total"] is not JsonObject total)
        {
            throw new FormatException($"{path}: not a shoal bench result (schema {Schema})");
        }

        var latency = total["latency_ms"]!;
        double L(string name) => latency[name]!.GetValue<double>();
        return new ResultFigures(
            path,
            total["rps"]!.GetValue<double>(),
            total["requests"]!.GetValue<long>(),
            total["errors"]!.GetValue<long>(),
            new LatencyFigures(L("p50"), L("p90"), L("p95"), L("p99"), L("p99_9"), L("max"), L("min"), L("mean"), L("stdev")));
    }

    private static JsonObject Step(StepResult s, bool recorded, DateTimeOffset startedAt) => new()
    {
        ["name"] = s.Name,
        ["model"] = s.Model,
        ["connections"] = s.Connections,
        ["rate"] = s.Rate,
        ["recorded"] = recorded,
        ["duration_s"] = s.DurationSeconds,
        ["requests"] = s.Requests,
        ["unsent"] = s.Unsent,
        ["ok"] = s.Ok,
        ["errors"] = s.Errors,
        ["error_rate"] = s.ErrorRate,
        ["rps"] = s.Rps,
        ["generator_cpu_s"] = s.CpuSeconds,
        ["latency_ms"] = new JsonObject
        {
            ["p50"] = s.Latency.P50,
            ["p90"] = s.Latency.P90,
            ["p95"] = s.Latency.P95,
            ["p99"] = s.Latency.P99,
            ["p99_9"] = s.Latency.P999,
            ["max"] = s.Latency.Max,
            ["min"] = s.Latency.Min,
            ["mean"] = s.Latency.Mean,
            ["stdev"] = s.Latency.StdDev,
        },
        ["status_codes"] = new JsonObject(s.StatusCodes.OrderBy(kv => kv.Key).Select(kv => KeyValuePair.Create(kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)kv.Value))),
        ["errors_by_kind"] = new JsonObject(s.ErrorsByKind.Select(kv => KeyValuePair.Create(ErrorNames.Of(kv.Key), (JsonNode?)kv.Value))),
        ["distribution"] = new JsonObject(s.Distribution.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        ["histogram"] = Histogram(s.Histogram, startedAt),
    };

    private static JsonObject Histogram(HistogramBase? histogram, DateTimeOffset startedAt)
    {
        var node = new JsonObject { ["unit"] = "us", ["total_count"] = histogram?.TotalCount ?? 0 };
        if (histogram is null || histogram.TotalCount == 0)
        {
            return node;
        }

        // The percentile spectrum as HdrHistogram prints it (5 ticks per half-distance), and the histogram itself in the
        // standard HdrHistogram log format, so any HdrHistogram tool can decode and merge it.
        node["percentiles"] = new JsonArray(histogram.Percentiles(5)
            .Select(p => (JsonNode)new JsonObject
            {
                ["percentile"] = p.Percentile,
                ["value_us"] = p.ValueIteratedTo,
                ["count"] = p.TotalCountToThisValue,
            }).ToArray());
        using var stream = new MemoryStream();
        using (var writer = new HistogramLogWriter(stream))
        {
            writer.Write(startedAt.UtcDateTime, histogram);
        }

        // The writer picks its own text encoding (with a byte order mark): let the reader detect it.
        using var reader = new StreamReader(new MemoryStream(stream.ToArray()), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        node["hdr_log"] = reader.ReadToEnd();
        return node;
    }

    private static JsonObject Figures(WatchFigures f) => new() { ["start"] = f.Start, ["peak"] = f.Peak, ["end"] = f.End, ["mean"] = f.Mean };
}
