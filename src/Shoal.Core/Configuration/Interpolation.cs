using System.Text;

namespace Shoal.Configuration;

/// <summary>
/// Compose's variable syntax in a string: <c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-default}</c> (unset or empty),
/// <c>${NAME-default}</c> (unset), <c>${NAME:?message}</c> / <c>${NAME?message}</c> (an error), <c>${NAME:+other}</c> /
/// <c>${NAME+other}</c>, and <c>$$</c> for a literal dollar sign. Defaults and messages may hold further variables.
/// </summary>
public static class Interpolation
{
    /// <summary>What a string became.</summary>
    /// <param name="Value">The text with every variable replaced; null when <see cref="Error"/> is set.</param>
    /// <param name="Error">Why the text cannot be used: a required variable is unset, or a <c>${</c> is not closed.</param>
    /// <param name="Unset">Variables used without a default that are not set: they read as empty text, as in Compose.</param>
    public sealed record Result(string? Value, string? Error, IReadOnlyList<string> Unset);

    /// <summary>Replaces the variables in <paramref name="text"/>; names in <paramref name="deferred"/> are left as written for a later step.</summary>
    public static Result Apply(string text, Func<string, string?> lookup, IReadOnlySet<string> deferred)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(deferred);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return new Result(text, null, []);
        }

        var unset = new List<string>();
        var parser = new Parser(text, lookup, deferred, unset);
        try
        {
            return new Result(parser.ReadUntil(end: null), null, unset);
        }
        catch (FormatException ex)
        {
            return new Result(null, ex.Message, unset);
        }
    }

    private sealed class Parser(string text, Func<string, string?> lookup, IReadOnlySet<string> deferred, List<string> unset)
    {
        private int _at;

        // Reads text up to the closing brace of an enclosing ${…} (end '}') or to the end (end null).
        public string ReadUntil(char? end)
        {
            var output = new StringBuilder(text.Length);
            while (_at < text.Length)
            {
                var c = text[_at];
                if (end is { } close && c == close)
                {
                    return output.ToString();
                }

                if (c != '$' || _at + 1 >= text.Length)
                {
                    output.Append(c);
                    _at++;
                    continue;
                }

                var next = text[_at + 1];
                if (next == '$')
                {
                    output.Append('$');
                    _at += 2;
                }
                else if (next == '{')
                {
                    output.Append(ReadBraced());
                }
                else if (IsNameStart(next))
                {
                    var start = _at;
                    _at++;
                    var name = ReadName();
                    output.Append(deferred.Contains(name) ? text[start.._at] : Value(name));
                }
                else
                {
                    output.Append(c);
                    _at++;
                }
            }

            if (end is not null)
            {
                throw new FormatException("a '${' is not closed with '}'");
            }

            return output.ToString();
        }

        private string ReadBraced()
        {
            var start = _at;
            _at += 2;
            var name = ReadName();
            if (name.Length == 0)
            {
                throw new FormatException($"'{Excerpt(start)}' is not a variable: a name (letters, digits, _) must follow '${{'");
            }

            if (_at >= text.Length)
            {
                throw new FormatException($"'{Excerpt(start)}' is not closed with '}}'");
            }

            if (text[_at] == '}')
            {
                _at++;
                return deferred.Contains(name) ? text[start.._at] : Value(name);
            }

            var colon = text[_at] == ':';
            if (colon)
            {
                _at++;
            }

            var op = _at < text.Length ? text[_at] : '\0';
            if (op is not ('-' or '?' or '+'))
            {
                throw new FormatException($"'{Excerpt(start)}' is not a variable: after the name comes '}}', ':-', '-', ':?', '?', ':+' or '+'");
            }

            _at++;
            var mark = unset.Count;
            var argument = ReadUntil('}');
            _at++;
            if (deferred.Contains(name))
            {
                return text[start.._at];
            }

            var value = lookup(name);
            var missing = colon ? string.IsNullOrEmpty(value) : value is null;
            if (missing != (op == '-'))
            {
                // The argument is not used, so the variables only it names were not really read.
                unset.RemoveRange(mark, unset.Count - mark);
            }

            return op switch
            {
                '-' => missing ? argument : value!,
                '+' => missing ? string.Empty : argument,
                _ => missing
                    ? throw new FormatException(argument.Length > 0 ? $"{name}: {argument}" : $"the variable {name} is required but not set")
                    : value!,
            };
        }

        private string Value(string name)
        {
            if (lookup(name) is { } value)
            {
                return value;
            }

            if (!unset.Contains(name))
            {
                unset.Add(name);
            }

            return string.Empty;
        }

        private string ReadName()
        {
            var start = _at;
            if (_at < text.Length && IsNameStart(text[_at]))
            {
                _at++;
                while (_at < text.Length && (IsNameStart(text[_at]) || char.IsAsciiDigit(text[_at])))
                {
                    _at++;
                }
            }

            return text[start.._at];
        }

        private string Excerpt(int start) => text[start..Math.Min(text.Length, start + 40)];

        private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
    }
}
