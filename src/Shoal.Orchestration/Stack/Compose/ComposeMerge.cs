using System.Text.RegularExpressions;
using Shoal.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>
/// Compose's rules for a file merged over another: mappings merge key by key, scalars and most lists are replaced;
/// <c>ports</c>, <c>expose</c>, <c>dns</c>… are concatenated; <c>environment</c> and <c>labels</c> merge by name (a list
/// <c>KEY=value</c> first becomes a mapping); <c>volumes</c> merge by target; <c>depends_on</c> merges as a mapping.
/// </summary>
internal static partial class ComposeMerge
{
    private static readonly string[] s_concatenated = ["ports", "expose", "dns", "dns_search", "dns_opt", "tmpfs", "external_links", "cap_add", "cap_drop", "env_file", "extra_hosts"];
    private static readonly string[] s_byName = ["environment", "labels", "annotations"];

    /// <summary>A new mapping: <paramref name="over"/> merged over <paramref name="under"/> (neither changes).</summary>
    public static YamlMappingNode Merge(YamlMappingNode under, YamlMappingNode over, string path, YamlErrors errors)
    {
        var result = new YamlMappingNode();
        errors.Attribute(result, over);
        foreach (var (key, value) in under.Children)
        {
            result.Children.Add(key, value);
        }

        foreach (var (key, value) in over.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var existing = result.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } k } && k == name);
            if (existing.Key is null)
            {
                result.Children.Add(key, value);
                continue;
            }

            // The later file's key node: an error about the merged value points where it was last written.
            result.Children.Remove(existing.Key);
            result.Children.Add(key, MergeValue(existing.Value, value, YamlFields.Join(path, name), errors));
        }

        return result;
    }

    /// <summary>A service key's list or mapping form as a mapping by name (<c>[A=1, B]</c> → <c>{A: 1, B: ~}</c>); null when it is neither.</summary>
    public static YamlMappingNode? AsMap(YamlNode node, YamlErrors errors, string valueForName = "")
    {
        switch (node)
        {
            case YamlMappingNode map:
                return map;
            case YamlSequenceNode list:
                var result = new YamlMappingNode();
                errors.Attribute(result, list);
                foreach (var item in list.Children)
                {
                    if (item is not YamlScalarNode { Value: { } text })
                    {
                        return null;
                    }

                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    var key = new YamlScalarNode(equals < 0 ? text : text[..equals]);
                    var value = equals < 0
                        ? new YamlScalarNode(valueForName.Length == 0 ? null : valueForName) { Style = valueForName.Length == 0 ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted }
                        : new YamlScalarNode(text[(equals + 1)..]) { Style = ScalarStyle.DoubleQuoted };
                    errors.Attribute(key, item);
                    errors.Attribute(value, item);
                    result.Children[key] = value;
                }

                return result;
            default:
                return null;
        }
    }

    /// <summary>Applies YAML merge keys (<c>&lt;&lt;: *defaults</c>), which Compose files use with <c>x-</c> anchors: keys written beside them win.</summary>
    public static void ExpandMergeKeys(YamlNode node, HashSet<YamlNode> done)
    {
        if (!done.Add(node))
        {
            return;
        }

        switch (node)
        {
            case YamlMappingNode map:
                var merge = map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "<<" });
                if (merge is not null)
                {
                    var sources = map.Children[merge] switch
                    {
                        YamlMappingNode one => [one],
                        YamlSequenceNode many => many.Children.OfType<YamlMappingNode>().ToList(),
                        _ => [],
                    };
                    map.Children.Remove(merge);
                    foreach (var source in sources)
                    {
                        ExpandMergeKeys(source, done);
                        foreach (var (key, value) in source.Children)
                        {
                            var name = (key as YamlScalarNode)?.Value;
                            if (!map.Children.Keys.Any(k => k is YamlScalarNode { Value: { } v } && v == name))
                            {
                                map.Children.Add(key, value);
                            }
                        }
                    }
                }

                foreach (var child in map.Children.Values.ToList())
                {
                    ExpandMergeKeys(child, done);
                }

                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children)
                {
                    ExpandMergeKeys(child, done);
                }

                break;
        }
    }

    private static YamlNode MergeValue(YamlNode under, YamlNode over, string path, YamlErrors errors)
    {
        var match = ServiceKeyPattern().Match(path);
        var key = match.Success ? match.Groups["key"].Value : string.Empty;
        if (s_concatenated.Contains(key, StringComparer.Ordinal))
        {
            var list = new YamlSequenceNode();
            errors.Attribute(list, over);
            foreach (var item in Items(under).Concat(Items(over)))
            {
                list.Add(item);
            }

            return list;
        }

        if (s_byName.Contains(key, StringComparer.Ordinal) && AsMap(under, errors) is { } u && AsMap(over, errors) is { } o)
        {
            return Merge(u, o, path, errors);
        }

        if (key == "depends_on" && AsDependencies(under, errors) is { } du && AsDependencies(over, errors) is { } dov)
        {
            return Merge(du, dov, path, errors);
        }

        if (key == "volumes" && under is YamlSequenceNode vu && over is YamlSequenceNode vo)
        {
            return MergeVolumes(vu, vo, errors);
        }

        // command, entrypoint and healthcheck.test are replaced whole, as every other list and scalar.
        return under is YamlMappingNode mu && over is YamlMappingNode mo && key is not ("command" or "entrypoint")
            ? Merge(mu, mo, path, errors)
            : over;
    }

    private static IEnumerable<YamlNode> Items(YamlNode node) => node is YamlSequenceNode list ? list.Children : [node];

    private static YamlMappingNode? AsDependencies(YamlNode node, YamlErrors errors)
    {
        if (node is not YamlSequenceNode list)
        {
            return node as YamlMappingNode;
        }

        var result = new YamlMappingNode();
        errors.Attribute(result, list);
        foreach (var item in list.Children)
        {
            var condition = new YamlMappingNode { { "condition", "service_started" } };
            errors.Attribute(condition, item);
            foreach (var made in condition.AllNodes)
            {
                errors.Attribute(made, item);
            }

            result.Children[item] = condition;
        }

        return result;
    }

    private static YamlSequenceNode MergeVolumes(YamlSequenceNode under, YamlSequenceNode over, YamlErrors errors)
    {
        var result = new YamlSequenceNode();
        errors.Attribute(result, over);
        var targets = over.Children.Select(Target).Where(t => t is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var item in under.Children.Where(i => Target(i) is not { } t || !targets.Contains(t)))
        {
            result.Add(item);
        }

        foreach (var item in over.Children)
        {
            result.Add(item);
        }

        return result;
    }

    /// <summary>Where a volume is mounted: <c>src:/target[:mode]</c>, <c>/target</c>, or <c>{ target: … }</c>.</summary>
    public static string? Target(YamlNode volume) => volume switch
    {
        YamlScalarNode { Value: { } text } => text.Split(':') is var parts && parts.Length >= 2 ? parts[1] : parts[0],
        YamlMappingNode map => map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "target" }).Value is YamlScalarNode { Value: { } t } ? t : null,
        _ => null,
    };

    [GeneratedRegex(@"^services\.[^.]+\.(?<key>[a-z_]+)$")]
    private static partial Regex ServiceKeyPattern();
}
