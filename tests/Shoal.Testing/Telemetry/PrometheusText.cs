using System.Globalization;
using System.Text;

namespace Shoal.Testing.Telemetry;

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4) and OpenMetrics text: <c># TYPE</c>, <c># HELP</c>, <c># UNIT</c>,
/// <c># EOF</c> and sample lines with escaped label values. A line it cannot read fails the test instead of being skipped.
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(List<PrometheusSample> samples, Dictionary<string, string> types, bool sawEof)
    {
        Samples = samples;
        Types = types;
        EndsWithEof = sawEof;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Each metric family's declared type (counter, gauge, histogram, …).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>True when the text ended with OpenMetrics' <c># EOF</c>.</summary>
    public bool EndsWithEof { get; }

    /// <exception cref="FormatException">A line is not a comment or a well-formed sample.</exception>
    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var eof = false;
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (eof && line.Length > 0)
            {
                throw new FormatException($"line {number}: text after # EOF");
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts is ["#", "TYPE", var name, var type])
                {
                    types[name] = type;
                }

                eof = line == "# EOF";
                continue;
            }

            samples.Add(ParseSample(line, number));
        }

        return new PrometheusText(samples, types, eof);
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include these.</summary>
    public IEnumerable<PrometheusSample> Find(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels));

    /// <summary>The one sample named <paramref name="name"/> with these labels; 0 when there is none (a counter not yet incremented is absent).</summary>
    /// <exception cref="InvalidOperationException">More than one sample matches.</exception>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        Find(name, labels).SingleOrDefault()?.Value ?? 0;

    private static PrometheusSample ParseSample(string line, int number)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0)
        {
            throw new FormatException($"line {number}: no metric name in '{line}'");
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i = ParseLabels(line, i + 1, labels, number);
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"line {number}: expected a space before the value in '{line}'");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 3 || !TryParseValue(rest[0], out var value))
        {
            throw new FormatException($"line {number}: bad value in '{line}'");
        }

        return new PrometheusSample(name, labels, value);
    }

    private static int ParseLabels(string line, int i, Dictionary<string, string> labels, int number)
    {
        while (true)
        {
            if (i < line.Length && line[i] == '}')
            {
                return i + 1;
            }

            var eq = line.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
            {
                throw new FormatException($"line {number}: bad label in '{line}'");
            }

            var key = line[i..eq];
            var value = new StringBuilder();
            var j = eq + 2;
            for (; j < line.Length && line[j] != '"'; j++)
            {
                if (line[j] == '\\' && j + 1 < line.Length)
                {
                    j++;
                    value.Append(line[j] switch { 'n' => '\n', var c => c });
                }
                else
                {
                    value.Append(line[j]);
                }
            }

            if (j >= line.Length || !labels.TryAdd(key, value.ToString()))
            {
                throw new FormatException($"line {number}: unterminated or repeated label '{key}' in '{line}'");
            }

            i = j + 1;
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
        }
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
