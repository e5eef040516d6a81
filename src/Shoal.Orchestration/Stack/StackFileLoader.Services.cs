using System.Text.RegularExpressions;
using Shoal.Configuration;
using Shoal.Http;
using Shoal.Text;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>One service: command or project, port, environment, routes, replicas.</summary>
public static partial class StackFileLoader
{
    private sealed record ParsedService(ServiceDefinition Definition, YamlFields Fields);

    private static List<ParsedService> ReadServices(YamlFields top, string directory, bool servicesOptional, string[] serviceKeys, IReadOnlyList<IStackSectionReader> readers)
    {
        var node = top.Get("services");
        var result = new List<ParsedService>();
        if (servicesOptional && (node is null || node is YamlMappingNode { Children.Count: 0 }))
        {
            // A stack of functions only.
            return result;
        }

        if (node is null)
        {
            top.Errors.Add(top.Node, "services", "missing: a stack needs a 'services:' mapping with at least one service");
            return result;
        }

        if (node is not YamlMappingNode services || services.Children.Count == 0)
        {
            top.Errors.Add(node, "services", $"expected a mapping of service names to services, got {YamlFields.Describe(node)}");
            return result;
        }

        foreach (var (key, value) in services.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var path = $"services.{name}";
            if (!ServiceNamePattern().IsMatch(name))
            {
                top.Errors.Add(key, path, "a service name uses lower-case letters, digits and '-' and starts with a letter");
            }

            if (value is not YamlMappingNode map)
            {
                top.Errors.Add(value, path, $"expected a mapping with 'command' or 'project', got {YamlFields.Describe(value)}");
                continue;
            }

            var fields = new YamlFields(map, path, top.Errors, serviceKeys);
            var backing = ReadBacking(name, fields);
            var definition = ReadService(name, fields, directory, (int)key.Start.Line, backing) with { Backing = backing };
            definition = definition with { Runtime = ReadRuntime(fields, directory, key, serviceKeys.Contains("deploy", StringComparer.Ordinal), definition.External) };
            var context = new ServiceReadContext(name, fields, directory);
            var sections = new SectionSet(readers.Select(r => r.ReadService(context)).OfType<object>().ToList());
            result.Add(new ParsedService(definition with { Sections = sections }, fields));
        }

        return result;
    }

    private static ServiceDefinition ReadService(string name, YamlFields f, string directory, int line, BackingServiceDefinition? backing)
    {
        var command = ReadCommand(f);
        var project = f.GetPath("project");
        var external = f.GetBool("external") ?? false;
        string? projectPath = null;
        if (external && (command is not null || project is not null))
        {
            f.Errors.Add(f.KeyNode("external")!, f.FieldPath("external"), "an external service runs elsewhere and registers through the registry API: drop 'command' and 'project'");
        }
        else if (external)
        {
            // Its instances come from the registry.
        }
        else if (backing is not null)
        {
            // Shoal runs the server: its command is made as the stack starts (CheckBacking refuses command and project).
        }
        else if (f.Get("command") is null && project is null)
        {
            f.Errors.Add(f.Node, f.Path, "missing command: give 'command' (the argv to run, e.g. [dotnet, app.dll]) or 'project' (a .csproj to build and run)");
        }
        else if (command is not null && project is not null)
        {
            f.Errors.Add(f.KeyNode("project")!, f.FieldPath("project"), "give either 'command' or 'project', not both");
        }
        else if (project is not null)
        {
            projectPath = Path.GetFullPath(Path.Combine(directory, project));
            if (!projectPath.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || !File.Exists(projectPath))
            {
                f.Errors.Add(f.Get("project")!, f.FieldPath("project"), $"no .csproj at '{project}' (resolved to {projectPath})");
            }
        }

        var port = ReadPort(f);
        var workingDir = f.GetPath("working_dir") is { } wd ? Path.GetFullPath(Path.Combine(directory, wd)) : directory;
        var routes = f.GetStringList("routes") ?? [];
        foreach (var (node, route) in routes)
        {
            if (!RoutePattern().IsMatch(route))
            {
                f.Errors.Add(node, f.FieldPath("routes"), $"'{route}' is not a route: use an absolute path such as /api/** (prefix) or /health (exact)");
            }
        }

        if (routes.Count > 0 && port.Kind == PortKind.None && !external)
        {
            f.Errors.Add(f.KeyNode("routes")!, f.FieldPath("routes"), "a service with routes needs a 'port' (auto or a number) for the gateway to reach it");
        }

        var environment = ReadEnvironment(f, "env");
        var health = ReadHealth(f, port);
        return new ServiceDefinition
        {
            Name = name,
            Command = command,
            Project = projectPath,
            Replicas = external ? 0 : f.GetInt("replicas", 0, 64) ?? 1,
            External = external,
            Port = port,
            Environment = environment,
            InheritEnvironment = ReadInheritEnvironment(f),
            Health = health.Kind == HealthCheckKind.Exec ? health with { WorkingDirectory = workingDir, Environment = environment } : health,
            Restart = ReadRestart(f),
            DependsOn = ReadDependencies(f),
            Routes = routes.Select(r => r.Value).ToList(),
            WorkingDirectory = workingDir,
            Version = f.GetString("version") ?? "1",
            StopGracePeriod = f.GetDuration("stop_grace_period", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? TimeSpan.FromSeconds(10),
            Weight = f.GetInt("weight", 0, 10_000) ?? 1,
            Metadata = f.GetStringMap("metadata") ?? new Dictionary<string, string>(),
            PerReplica = ReadPerReplica(f),
            Line = line,
        };
    }

    private static List<string> ReadInheritEnvironment(YamlFields f)
    {
        var names = new List<string>();
        foreach (var (node, name) in f.GetStringList("inherit_env") ?? [])
        {
            if (!EnvironmentNamePattern().IsMatch(name))
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"'{name}' is not an environment variable name (letters, digits and '_', not starting with a digit)");
            }
            else if (name is AdminAuthentication.TokenVariable or AdminAuthentication.OperatorTokenVariable)
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"{name} is Shoal's own secret and never passed to a child");
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static List<ReplicaOverride> ReadPerReplica(YamlFields f)
    {
        var node = f.Get("per_replica");
        var result = new List<ReplicaOverride>();
        if (node is null)
        {
            return result;
        }

        if (node is not YamlSequenceNode list)
        {
            f.Errors.Add(node, f.FieldPath("per_replica"), $"expected a list, one entry per replica ({{ weight, metadata, env }}), got {YamlFields.Describe(node)}");
            return result;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{f.FieldPath("per_replica")}[{i}]";
            if (list.Children[i] is not YamlMappingNode map)
            {
                f.Errors.Add(list.Children[i], path, "expected a mapping with weight, metadata or env");
                result.Add(new ReplicaOverride(null, new Dictionary<string, string>(), new Dictionary<string, string>()));
                continue;
            }

            var r = new YamlFields(map, path, f.Errors, s_replicaKeys);
            result.Add(new ReplicaOverride(r.GetInt("weight", 0, 10_000), r.GetStringMap("metadata") ?? [], ReadEnvironment(r, "env")));
        }

        return result;
    }

    private static List<string>? ReadCommand(YamlFields f)
    {
        var argv = ReadArgv(f);
        if (argv is not null && argv.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            f.Errors.Add(f.Get("command")!, f.FieldPath("command"), "an argument cannot hold a NUL character (U+0000)");
            return null;
        }

        return argv;
    }

    private static Dictionary<string, string> ReadEnvironment(YamlFields f, string key)
    {
        var variables = f.GetStringMap(key) ?? new Dictionary<string, string>();
        foreach (var (name, value) in variables)
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                f.Errors.Add(f.Get(key)!, YamlFields.Join(f.FieldPath(key), YamlFields.Printable(name)), "an environment variable needs a name without '=' and neither name nor value may hold a NUL character (U+0000)");
            }
        }

        return variables;
    }

    private static List<string>? ReadArgv(YamlFields f)
    {
        var node = f.Get("command");
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode { Value: { } text }:
                var argv = CommandLineSplitter.Split(text);
                if (argv.Count == 0)
                {
                    f.Errors.Add(node, f.FieldPath("command"), "the command is empty");
                    return null;
                }

                return argv;
            case YamlSequenceNode:
                var items = f.GetStringList("command")!.Select(i => i.Value).ToList();
                if (items.Count == 0)
                {
                    f.Errors.Add(node, f.FieldPath("command"), "the command is empty");
                    return null;
                }

                return items;
            default:
                f.Errors.Add(node, f.FieldPath("command"), $"expected the argv as a list (e.g. [dotnet, app.dll]) or a string, got {YamlFields.Describe(node)}");
                return null;
        }
    }

    private static PortSpec ReadPort(YamlFields f)
    {
        var node = f.Get("port");
        if (node is null)
        {
            return PortSpec.None;
        }

        if (node is YamlScalarNode { Value: "auto" })
        {
            return PortSpec.Auto;
        }

        var port = f.GetInt("port", 1, 65535);
        return port is null ? PortSpec.None : PortSpec.Of(port.Value);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentNamePattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex ServiceNamePattern();

    [GeneratedRegex(@"^/[A-Za-z0-9._~!$&'()+,;=:@%/-]*(\*\*?)?$")]
    private static partial Regex RoutePattern();
}
