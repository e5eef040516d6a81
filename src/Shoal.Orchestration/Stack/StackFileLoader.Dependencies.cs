using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>A service's <c>depends_on</c>, and the check that dependencies exist and form no cycle.</summary>
public static partial class StackFileLoader
{
    private static List<DependencyDefinition> ReadDependencies(YamlFields f)
    {
        var node = f.Get("depends_on");
        var result = new List<DependencyDefinition>();
        switch (node)
        {
            case null:
                break;
            case YamlSequenceNode:
                foreach (var (_, name) in f.GetStringList("depends_on")!)
                {
                    result.Add(new DependencyDefinition(name, DependencyCondition.Started));
                }

                break;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    var name = (k as YamlScalarNode)?.Value ?? string.Empty;
                    var condition = DependencyCondition.Started;
                    if (v is YamlMappingNode conditionMap)
                    {
                        var c = new YamlFields(conditionMap, $"{f.FieldPath("depends_on")}.{name}", f.Errors, "condition");
                        condition = c.GetEnum("condition", s_conditions) ?? DependencyCondition.Started;
                    }
                    else if (!YamlFields.IsNull(v))
                    {
                        f.Errors.Add(v, $"{f.FieldPath("depends_on")}.{name}", $"expected {{ condition: started | healthy | completed }}, got {YamlFields.Describe(v)}");
                    }

                    result.Add(new DependencyDefinition(name, condition));
                }

                break;
            default:
                f.Errors.Add(node, f.FieldPath("depends_on"), $"expected a list of service names or a mapping of name: {{ condition: … }}, got {YamlFields.Describe(node)}");
                break;
        }

        return result;
    }

    /// <summary>
    /// A service that a dependant waits for with <c>condition: completed</c> is a one-shot job (a migration): it is not
    /// started again once it exited 0, so without a <c>restart</c> of its own it gets <c>never</c> (Compose's default),
    /// <c>on-failure</c> retries it, and <c>always</c> — which would run it again and again — is refused, as is a
    /// postgres or redis server, which never completes.
    /// </summary>
    private static void RunToCompletion(List<ParsedService> services, YamlErrors errors)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var (definition, fields) = services[i];
            var waiting = services.Where(s => s.Definition.DependsOn.Any(d => d.Service == definition.Name && d.Condition == DependencyCondition.Completed)).ToList();
            if (waiting.Count == 0)
            {
                continue;
            }

            var names = string.Join(", ", waiting.Select(w => $"'{w.Definition.Name}'"));
            if (definition.Backing is { } backing)
            {
                var first = waiting[0];
                errors.Add(first.Fields.Get("depends_on")!, $"{first.Fields.FieldPath("depends_on")}.{definition.Name}", $"'{definition.Name}' is a {backing.Key} server, which runs until it is stopped and never completes: wait for it with condition: healthy");
            }
            else if (fields.Get("restart") is null)
            {
                services[i] = services[i] with { Definition = definition with { Restart = definition.Restart with { Mode = RestartMode.Never } } };
            }
            else if (definition.Restart.Mode == RestartMode.Always)
            {
                errors.Add(fields.Get("restart")!, fields.FieldPath("restart"), $"'{definition.Name}' is awaited to complete by {names}, but restart 'always' would run it again after it exited 0: use 'never' or 'on-failure'");
            }
        }
    }

    private static void CheckDependencies(List<ParsedService> services, YamlFields top, YamlErrors errors)
    {
        // Keys that are not plain names (a list as a key, '' twice) were reported already; the first of a name counts.
        var byName = new Dictionary<string, ParsedService>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            byName.TryAdd(service.Definition.Name, service);
        }

        foreach (var service in services)
        {
            foreach (var dependency in service.Definition.DependsOn)
            {
                if (!byName.TryGetValue(dependency.Service, out var target))
                {
                    errors.Add(service.Fields.Get("depends_on")!, service.Fields.FieldPath("depends_on"), $"'{dependency.Service}' is not a service in this stack");
                }
                else if (target.Definition.External)
                {
                    errors.Add(service.Fields.Get("depends_on")!, service.Fields.FieldPath("depends_on"), $"'{dependency.Service}' is external: the stack cannot wait for it");
                }
            }
        }

        // Depth-first search for a cycle; report it once, at the first service on it.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var trail = new List<string>();
        foreach (var service in services)
        {
            if (Visit(service.Definition.Name) is { } cycle)
            {
                var first = byName[cycle[0]];
                errors.Add(first.Fields.Get("depends_on")!, first.Fields.FieldPath("depends_on"), $"cyclic dependency: {string.Join(" -> ", cycle)}");
                return;
            }
        }

        List<string>? Visit(string name)
        {
            if (!byName.TryGetValue(name, out var service))
            {
                return null;
            }

            switch (state.GetValueOrDefault(name))
            {
                case 1:
                    var start = trail.IndexOf(name);
                    return [.. trail[start..], name];
                case 2:
                    return null;
            }

            state[name] = 1;
            trail.Add(name);
            foreach (var dependency in service.Definition.DependsOn)
            {
                if (Visit(dependency.Service) is { } cycle)
                {
                    return cycle;
                }
            }

            trail.RemoveAt(trail.Count - 1);
            state[name] = 2;
            return null;
        }
    }
}
