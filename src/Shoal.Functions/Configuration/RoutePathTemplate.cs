using System.Diagnostics.CodeAnalysis;

namespace Shoal.Functions.Configuration;

/// <summary>Parses route paths such as <c>/users/{id}</c> or <c>/files/{proxy+}</c> into segments.</summary>
internal static class RoutePathTemplate
{
    /// <summary>Splits <paramref name="path"/> into segments, or says why it is not a route path.</summary>
    public static bool TryParse(string? path, [NotNullWhen(true)] out RouteSegment[]? segments, [NotNullWhen(false)] out string? error)
    {
        segments = null;
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            error = "a route path starts with '/', e.g. /users/{id}";
            return false;
        }

        if (path.Length == 1)
        {
            segments = [];
            error = null;
            return true;
        }

        if (path[^1] == '/')
        {
            error = "a route path does not end with '/' (requests with a trailing '/' match it anyway)";
            return false;
        }

        var parts = path[1..].Split('/');
        var result = new RouteSegment[parts.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseSegment(parts[i], i == parts.Length - 1, out result[i], out error))
            {
                return false;
            }

            if (result[i].Kind != RouteSegmentKind.Literal && !names.Add(result[i].Value))
            {
                error = $"the parameter '{result[i].Value}' appears twice";
                return false;
            }
        }

        segments = result;
        error = null;
        return true;
    }

    /// <summary>The path with parameter names left out: two routes with the same shape match the same requests.</summary>
    public static string ShapeOf(RouteSegment[] segments)
    {
        if (segments.Length == 0)
        {
            return "/";
        }

        var parts = new string[segments.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            parts[i] = segments[i].Kind switch
            {
                RouteSegmentKind.Parameter => "{}",
                RouteSegmentKind.Greedy => "{+}",
                _ => Uri.UnescapeDataString(segments[i].Value),
            };
        }

        return "/" + string.Join('/', parts);
    }

    private static bool TryParseSegment(string part, bool last, out RouteSegment segment, [NotNullWhen(false)] out string? error)
    {
        segment = default;
        if (part.Length == 0)
        {
            error = "it has an empty segment ('//')";
            return false;
        }

        if (part[0] == '{' && part[^1] == '}')
        {
            var name = part[1..^1];
            var greedy = name.EndsWith('+');
            if (greedy)
            {
                name = name[..^1];
            }

            if (!IsParameterName(name))
            {
                error = $"'{part}' is not a parameter: a name uses letters, digits, '_', '-' and '.', e.g. {{id}} or {{proxy+}}";
                return false;
            }

            if (greedy && !last)
            {
                error = $"the greedy '{part}' must be the last segment";
                return false;
            }

            segment = new RouteSegment(greedy ? RouteSegmentKind.Greedy : RouteSegmentKind.Parameter, name);
            error = null;
            return true;
        }

        foreach (var c in part)
        {
            if (!IsPathChar(c))
            {
                error = c is '{' or '}'
                    ? $"'{part}' mixes text and a parameter: a segment is either literal text or a whole {{name}}"
                    : $"'{c}' is not allowed in a path segment; percent-encode it";
                return false;
            }
        }

        segment = new RouteSegment(RouteSegmentKind.Literal, part);
        error = null;
        return true;
    }

    private static bool IsParameterName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 3986 pchar: unreserved, percent-encoded, sub-delims, ':' and '@'.
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '%' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@';
}
