using System.Globalization;
using Shoal.Configuration;
using Shoal.Bench.Transport;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Bench.Scenarios;

/// <summary>
/// Reads a <c>bench.yml</c> scenario: the request, then several steps of load (warm-up, ramp, steady, spike) run in one go.
/// </summary>
public static class ScenarioLoader
{
    private static readonly string[] s_topKeys = ["url", "method", "headers", "body", "body_file", "timeout", "http2", "count_header", "count_field", "watch_pids", "slo", "steps"];
    private static readonly string[] s_stepKeys = ["name", "connections", "rate", "rate_to", "think", "duration", "requests", "record"];

    /// <summary>Loads a scenario file into a plan.</summary>
    /// <exception cref="ConfigFileException">The file is missing or invalid; every problem is listed with its line and field.</exception>
    public static BenchPlan Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigFileException($"{path}: no such scenario file.");
        }

        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses scenario text; <paramref name="displayName"/> names the file in messages.</summary>
    /// <exception cref="ConfigFileException">The text is invalid.</exception>
    public static BenchPlan Parse(string yaml, string displayName, string directory)
    {
        var errors = new YamlErrors(displayName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            errors.Add(ex.Start, string.Empty, $"not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
            errors.ThrowIfAny();
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new Mark(), string.Empty, "a scenario is a mapping with 'url' and 'steps'");
            errors.ThrowIfAny();
            throw new InvalidOperationException();
        }

        var top = new YamlFields(root, string.Empty, errors, s_topKeys);
        var url = top.GetString("url");
        if (url is null)
        {
            errors.Add(root, "url", "missing: the URL to load");
        }
        else if (!Uri.TryCreate(url.Replace("{{n}}", "0", StringComparison.Ordinal).Replace("{{client}}", "0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(top.Get("url")!, "url", $"'{url}' is not an http:// or https:// URL");
        }

        var body = top.GetString("body");
        if (top.GetString("body_file") is { } bodyFile)
        {
            var bodyPath = Path.Combine(directory, bodyFile);
            if (File.Exists(bodyPath))
            {
                body = File.ReadAllText(bodyPath);
            }
            else
            {
                errors.Add(top.Get("body_file")!, "body_file", $"no file at '{bodyFile}'");
            }
        }

        var countHeader = top.GetString("count_header");
        var countField = top.GetString("count_field");
        var steps = ReadSteps(top, errors);
        var watch = new List<int>();
        foreach (var (node, text) in top.GetStringList("watch_pids") ?? [])
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                watch.Add(pid);
            }
            else
            {
                errors.Add(node, "watch_pids", $"'{text}' is not a process id");
            }
        }

        var slo = top.GetString("slo");
        try
        {
            Slo.SloSpec.ParseList(slo);
        }
        catch (FormatException ex)
        {
            errors.Add(top.Get("slo")!, "slo", ex.Message);
        }

        errors.ThrowIfAny();
        return new BenchPlan
        {
            Url = url!,
            Method = top.GetString("method") ?? "GET",
            Headers = (top.GetStringMap("headers") ?? []).ToList(),
            Body = body,
            Timeout = top.GetDuration("timeout", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1)) ?? TimeSpan.FromSeconds(10),
            Http2 = top.GetBool("http2") ?? false,
            Count = countField is not null ? new CountSpec(null, countField) : new CountSpec(countHeader ?? CountSpec.Default.Header, null),
            WatchPids = watch,
            Slo = slo,
            Steps = steps,
        };
    }

    private static List<BenchStep> ReadSteps(YamlFields top, YamlErrors errors)
    {
        var node = top.Get("steps");
        var steps = new List<BenchStep>();
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            errors.Add(node ?? top.Node, "steps", "expected a list of steps, each with 'duration' or 'requests'");
            return steps;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"steps[{i}]";
            if (sequence.Children[i] is not YamlMappingNode map)
            {
                errors.Add(sequence.Children[i], path, "expected a mapping");
                continue;
            }

            var s = new YamlFields(map, path, errors, s_stepKeys);
            var duration = s.GetDuration("duration", TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
            var requests = s.GetInt("requests", 1, int.MaxValue);
            if ((duration is null) == (requests is null))
            {
                errors.Add(map, path, "give either 'duration' or 'requests'");
            }

            var rate = ReadRate(s, "rate");
            var rateTo = ReadRate(s, "rate_to");
            if (rateTo is not null && (rate is null || duration is null))
            {
                errors.Add(s.Get("rate_to")!, s.FieldPath("rate_to"), "a ramp needs 'rate' (where it starts) and 'duration'");
            }

            steps.Add(new BenchStep
            {
                Name = s.GetString("name") ?? $"step{i + 1}",
                Connections = s.GetInt("connections", 1, 10_000) ?? 10,
                Rate = rate,
                RateTo = rateTo,
                Think = s.GetDuration("think", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? TimeSpan.Zero,
                Duration = duration,
                Requests = requests,
                Record = s.GetBool("record") ?? true,
            });
        }

        return steps;
    }

    private static double? ReadRate(YamlFields s, string key)
    {
        if (s.GetString(key) is not { } text)
        {
            return null;
        }

        var number = text.EndsWith("/s", StringComparison.Ordinal) ? text[..^2] : text;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
        {
            return rate;
        }

        s.Errors.Add(s.Get(key)!, s.FieldPath(key), $"expected requests per second such as 200 or 200/s, got '{text}'");
        return null;
    }
}
