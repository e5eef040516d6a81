using System.Collections.ObjectModel;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Routing;

/// <summary>
/// Matches requests to function routes the way API Gateway's HTTP APIs do: the most specific path wins (a literal
/// segment beats <c>{param}</c>, which beats a greedy <c>{proxy+}</c>), then the exact method beats <c>ANY</c>.
/// </summary>
/// <remarks>
/// Routes are kept in a tree of path segments searched depth first, literals before parameters before greedy
/// routes, so the first route found is the most specific one. A HEAD request falls back to GET routes, then to ANY.
/// </remarks>
public sealed class FunctionRouteTable
{
    // Requests with more segments than this split into a heap array instead of the stack.
    private const int StackSegments = 32;
    private const string AnyMethod = "ANY";

    private readonly Node _root = new();

    /// <summary>Builds the table.</summary>
    /// <exception cref="ArgumentException">A route's path is not a valid template, or two routes match the same requests with the same method.</exception>
    public FunctionRouteTable(IEnumerable<FunctionRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            Add(route);
            IsEmpty = false;
        }

        _root.Freeze();
    }

    /// <summary>True when there is no route: every request is unmatched.</summary>
    public bool IsEmpty { get; } = true;

    /// <summary>The route for a request, with its path parameters URL-decoded, or null when none matches.</summary>
    /// <param name="method">The request's HTTP method.</param>
    /// <param name="path">The request's path as sent (percent-encoded); a trailing '/' and a query string are ignored.</param>
    public RouteMatch? Match(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var text = path.AsSpan();
        var query = text.IndexOf('?');
        if (query >= 0)
        {
            text = text[..query];
        }

        if (text.StartsWith('/'))
        {
            text = text[1..];
        }

        text = text.TrimEnd('/');
        var count = text.IsEmpty ? 0 : text.Count('/') + 1;
        Span<Range> segments = count <= StackSegments ? stackalloc Range[StackSegments] : new Range[count];
        segments = segments[..count];
        if (count > 0)
        {
            text.Split(segments, '/');
        }

        var isHead = string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);
        var entry = Find(_root, text, segments, 0, method, isHead);
        return entry is null ? null : new RouteMatch(entry.Route, ParametersOf(entry, text, segments));
    }

    private void Add(FunctionRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (!RoutePathTemplate.TryParse(route.Path, out var segments, out var error))
        {
            throw new ArgumentException($"'{route.Path}' ({route.Source}) is not a route path: {error}", nameof(route));
        }

        var entry = new Entry(route, segments);
        var node = _root;
        foreach (var segment in segments)
        {
            switch (segment.Kind)
            {
                case RouteSegmentKind.Literal:
                    node.Literals ??= new Dictionary<string, Node>(StringComparer.Ordinal);
                    var key = Uri.UnescapeDataString(segment.Value);
                    if (!node.Literals.TryGetValue(key, out var child))
                    {
                        child = new Node();
                        node.Literals[key] = child;
                    }

                    node = child;
                    break;
                case RouteSegmentKind.Parameter:
                    node = node.Parameter ??= new Node();
                    break;
                default:
                    node.Greedy = With(node.Greedy, entry);
                    return;
            }
        }

        node.Routes = With(node.Routes, entry);
    }

    private static Entry[] With(Entry[] entries, Entry entry)
    {
        foreach (var existing in entries)
        {
            if (string.Equals(existing.Route.Method, entry.Route.Method, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"duplicate route: {entry.Route.RouteKey} ({entry.Route.Source}) matches the same requests as {existing.Route.RouteKey} ({existing.Route.Source})",
                    "routes");
            }
        }

        return [.. entries, entry];
    }

    private static Entry? Find(Node node, ReadOnlySpan<char> path, ReadOnlySpan<Range> segments, int index, string method, bool isHead)
    {
        if (index == segments.Length)
        {
            return Select(node.Routes, method, isHead);
        }

        var segment = path[segments[index]];
        if (node.Literals is not null
            && (node.LiteralLookup.TryGetValue(segment, out var child)
                || (segment.Contains('%') && node.Literals.TryGetValue(Uri.UnescapeDataString(segment), out child)))
            && Find(child, path, segments, index + 1, method, isHead) is { } literal)
        {
            return literal;
        }

        if (node.Parameter is not null && !segment.IsEmpty && Find(node.Parameter, path, segments, index + 1, method, isHead) is { } parameter)
        {
            return parameter;
        }

        // A greedy route needs one segment or more: here there is at least this one.
        return Select(node.Greedy, method, isHead);
    }

    private static Entry? Select(Entry[] entries, string method, bool isHead)
    {
        Entry? get = null;
        Entry? any = null;
        foreach (var entry in entries)
        {
            if (string.Equals(entry.Route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }

            if (entry.IsAny)
            {
                any = entry;
            }
            else if (isHead && entry.IsGet)
            {
                get = entry;
            }
        }

        return get ?? any;
    }

    private static IReadOnlyDictionary<string, string> ParametersOf(Entry entry, ReadOnlySpan<char> path, ReadOnlySpan<Range> segments)
    {
        if (!entry.HasParameters)
        {
            return ReadOnlyDictionary<string, string>.Empty;
        }

        var parameters = new Dictionary<string, string>(entry.Segments.Length, StringComparer.Ordinal);
        for (var i = 0; i < entry.Segments.Length; i++)
        {
            var segment = entry.Segments[i];
            switch (segment.Kind)
            {
                case RouteSegmentKind.Parameter:
                    parameters[segment.Value] = Uri.UnescapeDataString(path[segments[i]]);
                    break;
                case RouteSegmentKind.Greedy:
                    // Decoding the rest at once decodes each segment: an encoded %2F stays inside its segment's value.
                    parameters[segment.Value] = Uri.UnescapeDataString(path[segments[i].Start..]);
                    break;
            }
        }

        return parameters;
    }

    /// <summary>A route and its parsed template.</summary>
    private sealed class Entry(FunctionRoute route, RouteSegment[] segments)
    {
        public FunctionRoute Route { get; } = route;

        public RouteSegment[] Segments { get; } = segments;

        public bool HasParameters { get; } = Array.Exists(segments, s => s.Kind != RouteSegmentKind.Literal);

        public bool IsAny { get; } = string.Equals(route.Method, AnyMethod, StringComparison.OrdinalIgnoreCase);

        public bool IsGet { get; } = string.Equals(route.Method, "GET", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>One position in the tree: the routes ending here and where the next segment leads.</summary>
    private sealed class Node
    {
        public Dictionary<string, Node>? Literals { get; set; }

        /// <summary>Looks literals up by span, so matching allocates no string per segment.</summary>
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> LiteralLookup { get; private set; }

        public Node? Parameter { get; set; }

        public Entry[] Routes { get; set; } = [];

        public Entry[] Greedy { get; set; } = [];

        public void Freeze()
        {
            if (Literals is not null)
            {
                LiteralLookup = Literals.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var child in Literals.Values)
                {
                    child.Freeze();
                }
            }

            Parameter?.Freeze();
        }
    }
}
