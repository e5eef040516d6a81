using Shoal.Events;

namespace Shoal.Hosting.Events;

/// <summary>The <c>?types=</c> of a subscriber: exact types (<c>instance.restarted</c>) and families (<c>instance.*</c>).</summary>
internal sealed class EventTypeFilter
{
    /// <summary>At most this many entries: a longer list is a mistake or an attack, not a filter.</summary>
    public const int MaxEntries = 32;

    private readonly HashSet<string> _types;
    private readonly string[] _prefixes;

    private EventTypeFilter(HashSet<string> types, string[] prefixes)
    {
        _types = types;
        _prefixes = prefixes;
    }

    /// <summary>True when the subscriber wants <paramref name="type"/>; a gap is always wanted.</summary>
    public bool Matches(string type) =>
        type == PlatformEventTypes.StreamGap || _types.Contains(type) || _prefixes.Any(p => type.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Reads <c>a,b,family.*</c>; null and an error naming the unknown entry when one is not a type.</summary>
    public static (EventTypeFilter? Filter, string? Error) Parse(string text)
    {
        var entries = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length is 0 or > MaxEntries)
        {
            return (null, $"'types' must list 1 to {MaxEntries} event types, separated by commas.");
        }

        var types = new HashSet<string>(StringComparer.Ordinal);
        var prefixes = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.EndsWith(".*", StringComparison.Ordinal) && PlatformEventTypes.All.Any(t => t.StartsWith(entry[..^1], StringComparison.Ordinal)))
            {
                prefixes.Add(entry[..^1]);
            }
            else if (PlatformEventTypes.All.Contains(entry, StringComparer.Ordinal))
            {
                types.Add(entry);
            }
            else
            {
                var shown = entry.Length > 64 ? entry[..64] + "…" : entry;
                return (null, $"'{shown}' is not an event type; known: {string.Join(", ", PlatformEventTypes.All)} (or a family such as instance.*).");
            }
        }

        return (new EventTypeFilter(types, [.. prefixes]), null);
    }
}
