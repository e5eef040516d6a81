using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>
/// Turns a (merged) Compose document into the root mapping of a shoal.yml, which the stack loader then reads: the
/// original value nodes are reused where they fit, and every node built here is attributed to the one it stands for,
/// so an error about <c>services.web.port</c> points at the <c>ports:</c> entry it came from, in its own file.
/// </summary>
internal sealed partial class ComposeNormalizer
{
    private readonly YamlErrors _errors;
    private readonly FileVariables _variables;
    private readonly IReadOnlyDictionary<YamlNode, string> _directories;
    private readonly string _stackDirectory;
    private readonly HashSet<string> _profiles;

    // Where published ports are served instead: x-shoal.gateway.listen, or the gateway's default.
    private string _gateway = "http://127.0.0.1:8080";

    // One warning per unsupported key, at its first place, naming every service that has it.
    private readonly Dictionary<string, (YamlNode At, string Field, List<string> Services)> _unsupported = new(StringComparer.Ordinal);

    public ComposeNormalizer(YamlErrors errors, FileVariables variables, IReadOnlyDictionary<YamlNode, string> directories, string stackDirectory, IEnumerable<string> profiles)
    {
        _errors = errors;
        _variables = variables;
        _directories = directories;
        _stackDirectory = stackDirectory;
        _profiles = new HashSet<string>(profiles, StringComparer.Ordinal);
        foreach (var profile in (variables["COMPOSE_PROFILES"] ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            _profiles.Add(profile);
        }
    }

    /// <summary>The shoal.yml root for <paramref name="compose"/>.</summary>
    public YamlMappingNode Normalize(YamlMappingNode compose)
    {
        var root = Made(new YamlMappingNode(), compose);
        if (Get(compose, ComposeKeys.Shoal) is YamlMappingNode own && Get(own, "gateway") is YamlMappingNode gateway && Get(gateway, "listen") is YamlScalarNode { Value: { Length: > 0 } listen })
        {
            _gateway = listen;
        }

        YamlMappingNode? services = null;
        YamlNode? shoal = null;
        (YamlNode Key, YamlMappingNode Value)? volumes = null;
        foreach (var (key, value) in compose.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            switch (name)
            {
                case "name":
                    root.Children.Add(key, value);
                    break;
                case "services" when value is YamlMappingNode map:
                    services = map;
                    root.Children.Add(key, Services(map));
                    break;
                case "services":
                    root.Children.Add(key, value);
                    break;
                case "version":
                    _errors.Warn(key, name, "ignored: Compose itself no longer reads 'version'");
                    break;
                case "volumes" when value is YamlMappingNode { Children.Count: > 0 }:
                    // Told once the services are read: a volume a postgres or redis template keeps its data in is made.
                    volumes = (key, (YamlMappingNode)value);
                    break;
                case "networks" or "configs" or "secrets" when !YamlFields.IsNull(value):
                    _errors.Warn(key, name, name == "networks"
                        ? "not honoured: services share the host's network and reach each other through the gateway"
                        : $"not honoured: Shoal mounts no {name}; pass values through environment or env_file");
                    break;
                case "volumes" or "networks" or "configs" or "secrets":
                    break;
                case ComposeKeys.Shoal:
                    shoal = value;
                    break;
                default:
                    if (!name.StartsWith("x-", StringComparison.Ordinal))
                    {
                        _errors.Add(key, name, $"unknown field '{YamlFields.Printable(name)}'{StackFileLoader.Hint(name, [.. ComposeKeys.TopLevel, ComposeKeys.Shoal])}; allowed here: {string.Join(", ", ComposeKeys.TopLevel)}, x-shoal and x-… extensions");
                    }

                    break;
            }
        }

        // x-shoal: { gateway: …, registry: …, functions: … } holds Shoal's own sections, which the loader reads as usual.
        if (shoal is YamlMappingNode sections)
        {
            foreach (var (key, value) in sections.Children)
            {
                if (key is YamlScalarNode { Value: "services" })
                {
                    _errors.Add(key, $"{ComposeKeys.Shoal}.services", "services are Compose's: give a service's Shoal keys under services.NAME.x-shoal");
                    continue;
                }

                Put(root, key, value);
            }
        }
        else if (shoal is not null && !YamlFields.IsNull(shoal))
        {
            _errors.Add(shoal, ComposeKeys.Shoal, $"expected a mapping of Shoal's sections (gateway, registry, functions, …), got {YamlFields.Describe(shoal)}");
        }

        if (volumes is var (volumesKey, declared) && declared.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).Where(v => !_templateVolumes.Contains(v)).ToList() is { Count: > 0 } others)
        {
            _errors.Warn(volumesKey, "volumes", $"named volumes are not created ({string.Join(", ", others)}): services run on the host's files, so give them a directory of their own (x-shoal: {{ working_dir: … }}); only a postgres or redis image's data volume is made, under .shoal/volumes/");
        }

        foreach (var (key, (at, field, names)) in _unsupported)
        {
            var where = names.Count == 1 ? string.Empty : $" (services {string.Join(", ", names)})";
            _errors.Warn(at, field, $"not honoured{where}: {ComposeKeys.Unsupported[key]}");
        }

        return root;
    }

    private YamlMappingNode Services(YamlMappingNode services)
    {
        var result = Made(new YamlMappingNode(), services);
        var disabled = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in services.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (value is YamlMappingNode service && Profiles(service, $"services.{name}") is { Count: > 0 } profiles && !profiles.Any(p => _profiles.Contains(p) || _profiles.Contains("*")))
            {
                disabled[name] = profiles[0];
                continue;
            }

            result.Children.Add(key, value is YamlMappingNode map ? Service(name, map) : value);
        }

        foreach (var (key, value) in result.Children)
        {
            CheckDisabledDependencies((key as YamlScalarNode)?.Value ?? string.Empty, value, disabled);
        }

        return result;
    }

    private List<string>? Profiles(YamlMappingNode service, string path)
    {
        var node = service.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "profiles" }).Value;
        if (node is null)
        {
            return null;
        }

        if (node is YamlSequenceNode list && list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }))
        {
            return list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
        }

        _errors.Add(node, $"{path}.profiles", $"expected a list of profile names, got {YamlFields.Describe(node)}");
        return null;
    }

    // A dependency on a service whose profile is off is Compose's error too; say which profile turns it on.
    private void CheckDisabledDependencies(string name, YamlNode service, Dictionary<string, string> disabled)
    {
        if (service is not YamlMappingNode map || map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "depends_on" }).Value is not { } depends)
        {
            return;
        }

        var names = depends switch
        {
            YamlSequenceNode list => list.Children.ToList(),
            YamlMappingNode m => m.Children.Keys.ToList(),
            _ => [],
        };
        foreach (var node in names)
        {
            if (node is YamlScalarNode { Value: { } dependency } && disabled.TryGetValue(dependency, out var profile))
            {
                _errors.Add(node, $"services.{name}.depends_on", $"'{dependency}' runs only with profile '{profile}': enable it with --profile {profile} (or COMPOSE_PROFILES), or drop the dependency");

                // Said once, here: the loader would report it again as no service of the stack.
                _ = depends is YamlSequenceNode seq ? seq.Children.Remove(node) : ((YamlMappingNode)depends).Children.Remove(node);
            }
        }
    }

    /// <summary>Records that a node built here stands for <paramref name="source"/>, for errors about it.</summary>
    private T Made<T>(T node, YamlNode source)
        where T : YamlNode
    {
        _errors.Attribute(node, source);
        return node;
    }

    private YamlScalarNode Text(string value, YamlNode source) => Made(new YamlScalarNode(value), source);

    // Sets a key, replacing what an earlier step put there: x-shoal's keys come last and win.
    private static void Put(YamlMappingNode map, YamlNode key, YamlNode value)
    {
        var name = (key as YamlScalarNode)?.Value;
        var existing = map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } v } && v == name);
        if (existing is not null)
        {
            map.Children.Remove(existing);
        }

        map.Children.Add(key, value);
    }

    private void Put(YamlMappingNode map, string name, YamlNode value, YamlNode source) => Put(map, Text(name, source), value);

    private void Unsupported(string key, YamlNode at, string field, string service)
    {
        if (_unsupported.TryGetValue(key, out var first))
        {
            first.Services.Add(service);
        }
        else
        {
            _unsupported[key] = (at, field, [service]);
        }
    }
}
