using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Configuration;

/// <summary>How messages quote values and paths, and the did-you-mean hint for unknown keys.</summary>
public sealed partial class YamlFields
{
    /// <summary>The first control character (U+0000 to U+001F, U+007F to U+009F) in <paramref name="text"/>, or null.</summary>
    public static char? ControlCharacter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>True for an explicit or empty null.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>How messages describe a value: <c>'x'</c>, a list, a mapping, nothing.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s when IsNull(node) => "nothing",
        YamlScalarNode s => $"'{Printable(s.Value ?? string.Empty)}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unsupported value",
    };

    /// <summary>Text as a message may quote it: control characters escaped (\u0000), cut after 80 characters.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int Limit = 80;
        var builder = new System.Text.StringBuilder();
        foreach (var c in text.Length > Limit ? text[..Limit] : text)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > Limit ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>Joins a field path and a key.</summary>
    public static string Join(string path, string key) => string.IsNullOrEmpty(path) ? key : $"{path}.{key}";

    private static string? Suggest(string name, string[] known)
    {
        // The distance costs length × length: a key far longer than any known one is no typo of it.
        if (name.Length > 64)
        {
            return null;
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Levenshtein(name, candidate);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
