using System.Text;

namespace Shoal.Configuration;

/// <summary>
/// A <c>.env</c> file as Compose reads it: <c>NAME=value</c> lines, <c>export NAME=value</c>, <c>#</c> comments, blank
/// lines; a value in single quotes is taken literally, one in double quotes understands <c>\n</c>, <c>\t</c>, <c>\"</c>
/// and <c>\\</c>; unquoted and double-quoted values may use the variables set above them and in the environment.
/// </summary>
public static class EnvFile
{
    /// <summary>Reads a <c>.env</c> file; <paramref name="displayName"/> is how errors name it.</summary>
    /// <exception cref="ConfigFileException">The file cannot be read or a line is not <c>NAME=value</c>.</exception>
    public static Dictionary<string, string> Load(string path, string displayName, Func<string, string?> environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"{displayName}: cannot read: {ex.Message}", ex);
        }

        return Parse(text, displayName, environment);
    }

    /// <summary>Reads the text of a <c>.env</c> file.</summary>
    /// <exception cref="ConfigFileException">A line is not <c>NAME=value</c>.</exception>
    public static Dictionary<string, string> Parse(string text, string displayName, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? line : line[..equals].Trim();
            if (equals <= 0 || !IsName(name))
            {
                errors.Add(new ConfigError(displayName, i + 1, 1, name, "expected NAME=value (a name of letters, digits and _, not starting with a digit)"));
                continue;
            }

            var raw = line[(equals + 1)..].Trim();
            try
            {
                values[name] = Value(raw, values, environment);
            }
            catch (FormatException ex)
            {
                errors.Add(new ConfigError(displayName, i + 1, equals + 2, name, ex.Message));
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigFileException(errors);
        }

        return values;
    }

    private static string Value(string raw, Dictionary<string, string> above, Func<string, string?> environment)
    {
        string? Lookup(string n) => environment(n) ?? above.GetValueOrDefault(n);
        if (raw.StartsWith('\''))
        {
            var close = raw.IndexOf('\'', 1);
            return close < 0 ? throw new FormatException("a quoted value is not closed on its line") : raw[1..close];
        }

        if (raw.StartsWith('"'))
        {
            var text = new StringBuilder();
            for (var i = 1; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '"')
                {
                    return Interpolate(text.ToString(), Lookup);
                }

                if (c == '\\' && i + 1 < raw.Length)
                {
                    i++;
                    text.Append(raw[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                    if (raw[i] is not ('n' or 't' or 'r' or '"' or '\\'))
                    {
                        text.Insert(text.Length - 1, '\\');
                    }

                    continue;
                }

                text.Append(c);
            }

            throw new FormatException("a quoted value is not closed on its line");
        }

        // An unquoted value ends at a comment that follows whitespace, as in Compose.
        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        return Interpolate(comment < 0 ? raw : raw[..comment].TrimEnd(), Lookup);
    }

    private static string Interpolate(string value, Func<string, string?> lookup)
    {
        var result = Interpolation.Apply(value, lookup, FileVariables.NoneDeferred);
        return result.Value ?? throw new FormatException(result.Error);
    }

    private static bool IsName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
