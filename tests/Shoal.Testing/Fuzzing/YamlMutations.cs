using CsCheck;

namespace Shoal.Testing.Fuzzing;

/// <summary>
/// Generators of broken configuration files: a valid file with one to four mutations — characters flipped, lines
/// deleted, duplicated or swapped, values replaced by odd scalars (1e20, NaN, -1, 60d, NUL, unicode, wrong types),
/// deep nesting, truncation.
/// </summary>
public static class YamlMutations
{
    /// <summary>Values a field should refuse, or at least survive.</summary>
    public static readonly string[] OddScalars =
    [
        "1e20", "-1e20", "NaN", ".nan", "Infinity", ".inf", "-.inf", "-1", "-0", "0", "1e-400", "1e400", "60d", "99999999999999999999",
        "9e15d", "1e20s", "2147483648", "-2147483649", "0x10", "1_000", "1.5", "~", "null", "''", "\"\"", "[]", "{}", "[a, b]", "{a: 1}",
        "\"\\0\"", "\"a\\0b\"", "\"\\u0007\"", "\"\\x1b[31m\"", "true", "yes", "no", "\"\\ud83d\\ude00\"", "\"\u202e\"", "é", "!!binary AAAA",
        "!!int x", "!!float y", "&anchor x", "*nowhere", "\"/tmp/\\0x\"", "../../../../etc/passwd", "/", "''''", "|\n  multi\n  line",
        ">-\n  folded", "?", "-", ":", "%", "@x", "`x", "\"\\t\"", "' '", "0.0.0.0:0", "http://[::1", "auto", "100%", "101%", "-5%", "1m1m",
        "0ms", "1us", "5 parsecs",
    ];

    private static readonly char[] s_flips =
    [
        ':', '-', '[', ']', '{', '}', '"', '\'', '&', '*', '!', '|', '>', '\n', ' ', '\t', '\0', '#', '%', '@', '`', ',', '?', '\\',
        'é', '\u202e', '\uffff', '\ud800', '\u0085', '\u2028', '\u0007', '\u001b', 'x', '0', '9',
    ];

    /// <summary>One of <paramref name="valid"/>, mutated one to four times.</summary>
    public static Gen<string> Mutate(params string[] valid) =>
        Gen.Int[0, valid.Length - 1].SelectMany(i => Gen.Int[1, 4].SelectMany(n => Mutations(n), (n, m) => Apply(valid[i], m)));

    private static Gen<Func<string, string>[]> Mutations(int count) => Mutation.Array[count];

    private static string Apply(string text, Func<string, string>[] mutations)
    {
        foreach (var mutation in mutations)
        {
            text = mutation(text);
        }

        return text;
    }

    private static Gen<Func<string, string>> Mutation { get; } = Gen.Frequency(
        (4, Gen.Select(Gen.Double[0, 1], Gen.OneOf(s_flips), (at, c) => (Func<string, string>)(t => t.Length == 0 ? c.ToString() : t.Remove(Index(t, at), 1).Insert(Index(t, at), c.ToString())))),
        (2, Gen.Double[0, 1].Select(at => (Func<string, string>)(t => t.Length == 0 ? t : t.Remove(Index(t, at), 1)))),
        (3, Gen.Double[0, 1].Select(at => (Func<string, string>)(t => Lines(t, at, (lines, i) => lines.RemoveAt(i))))),
        (3, Gen.Double[0, 1].Select(at => (Func<string, string>)(t => Lines(t, at, (lines, i) => lines.Insert(i, lines[i]))))),
        (1, Gen.Select(Gen.Double[0, 1], Gen.Double[0, 1], (a, b) => (Func<string, string>)(t => Lines(t, a, (lines, i) =>
        {
            var j = (int)(b * (lines.Count - 1));
            (lines[i], lines[j]) = (lines[j], lines[i]);
        })))),
        (8, Gen.Select(Gen.Double[0, 1], Gen.OneOf(OddScalars), (at, value) => (Func<string, string>)(t => ReplaceValue(t, at, value)))),
        (1, Gen.Select(Gen.Double[0, 1], Gen.Int[60, 400], Gen.Bool, (at, depth, flow) => (Func<string, string>)(t => Lines(t, at, (lines, i) =>
            lines.Insert(i, flow ? "deep: " + new string('[', depth) + new string(']', depth) : Nested(depth)))))),
        (1, Gen.Double[0, 1].Select(at => (Func<string, string>)(t => t[..Index(t, at)]))),
        (1, Gen.Select(Gen.Double[0, 1], Gen.Int[1_000, 80_000], (at, length) => (Func<string, string>)(t => ReplaceValue(t, at, new string('a', length))))),
        (1, Gen.Select(Gen.Double[0, 1], Gen.String[Gen.Char, 0, 40], (at, junk) => (Func<string, string>)(t => Lines(t, at, (lines, i) => lines.Insert(i, junk)))))
    );

    private static string Nested(int depth)
    {
        var lines = new List<string>(depth);
        for (var d = 0; d < depth; d++)
        {
            lines.Add(new string(' ', d) + "k:");
        }

        return string.Join('\n', lines) + " x";
    }

    private static int Index(string text, double at) => Math.Clamp((int)(at * text.Length), 0, Math.Max(0, text.Length - 1));

    private static string Lines(string text, double at, Action<List<string>, int> change)
    {
        var lines = text.Split('\n').ToList();
        change(lines, Math.Clamp((int)(at * lines.Count), 0, lines.Count - 1));
        return string.Join('\n', lines);
    }

    // The value after "key: " on a line that has one, or a list item's value after "- ".
    private static string ReplaceValue(string text, double at, string value) => Lines(text, at, (lines, i) =>
    {
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[(i + k) % lines.Count];
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var dash = line.TrimStart().StartsWith("- ", StringComparison.Ordinal) ? line.IndexOf("- ", StringComparison.Ordinal) : -1;
            var cut = colon >= 0 ? colon + 2 : dash >= 0 ? dash + 2 : -1;
            if (cut >= 0)
            {
                lines[(i + k) % lines.Count] = line[..cut] + value;
                return;
            }
        }
    });
}
