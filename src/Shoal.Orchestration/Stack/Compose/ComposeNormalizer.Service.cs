using Shoal.Configuration;
using Shoal.Text;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>One Compose service as a Shoal service: how it runs (command, entrypoint, image, build) and its other keys.</summary>
internal sealed partial class ComposeNormalizer
{
    // Read by the steps below, not one by one.
    private static readonly string[] s_grouped =
    [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "healthcheck", "restart", "deploy",
        "scale", "mem_limit", "cpus", "pids_limit", "profiles", "volumes",
    ];

    private YamlMappingNode Service(string name, YamlMappingNode service)
    {
        var path = $"services.{name}";
        var result = Made(new YamlMappingNode(), service);
        var shoal = Get(service, ComposeKeys.Shoal);
        if (shoal is not null and not YamlMappingNode && !YamlFields.IsNull(shoal))
        {
            _errors.Add(shoal, $"{path}.{ComposeKeys.Shoal}", $"expected a mapping of Shoal's service keys (routes, load_balancing, resilience, deploy, project, runtime, …), got {YamlFields.Describe(shoal)}");
        }

        var own = shoal as YamlMappingNode ?? new YamlMappingNode();
        foreach (var (key, value) in service.Children)
        {
            var field = (key as YamlScalarNode)?.Value ?? string.Empty;
            switch (field)
            {
                case var _ when s_grouped.Contains(field, StringComparer.Ordinal) || field.StartsWith("x-", StringComparison.Ordinal):
                    break;
                case "depends_on":
                    Put(result, key, Dependencies(value, $"{path}.depends_on"));
                    break;
                case "working_dir":
                    WorkingDirectory(result, key, value, $"{path}.working_dir");
                    break;
                case "user" or "stop_grace_period":
                    Put(result, key, value);
                    break;
                case var _ when ComposeKeys.Unsupported.ContainsKey(field):
                    Unsupported(field, key, $"{path}.{field}", name);
                    break;
                default:
                    var known = ComposeKeys.Service.Concat(ComposeKeys.Unsupported.Keys).Append(ComposeKeys.Shoal).ToList();
                    _errors.Add(key, $"{path}.{field}", $"unknown field '{YamlFields.Printable(field)}'{StackFileLoader.Hint(field, known)}; Shoal's own keys (routes, port, …) go under {ComposeKeys.Shoal}");
                    break;
            }
        }

        // An image Shoal's postgres or redis template stands for: the template replaces command, ports, healthcheck and volumes.
        var template = Template(service, own);
        if (template is null)
        {
            Run(result, service, own, path);
        }

        Environment(result, service, path);
        if (template is not null)
        {
            Template(result, service, name, template);
        }

        var replicas = Replicas(result, service);
        if (template is null)
        {
            Ports(result, service, path, replicas);
            Health(result, service, path);
        }

        Restart(result, service, path);
        Deploy(result, service, path);
        if (template is null)
        {
            Volumes(service, path, own);
        }

        // The service's Shoal keys win over what was made from Compose's: one file serves both tools.
        foreach (var (key, value) in own.Children)
        {
            Put(result, key, value);
        }

        return result;
    }

    // entrypoint is prepended to command, as a container runs them; image alone runs in the docker runtime.
    private void Run(YamlMappingNode result, YamlMappingNode service, YamlMappingNode own, string path)
    {
        var command = Get(service, "command");
        var entrypoint = Get(service, "entrypoint");
        if (entrypoint is not null && !YamlFields.IsNull(entrypoint))
        {
            var argv = Made(new YamlSequenceNode(), entrypoint);
            foreach (var item in Argv(entrypoint, $"{path}.entrypoint").Concat(command is null ? [] : Argv(command, $"{path}.command")))
            {
                argv.Add(item);
            }

            Put(result, "command", argv, KeyOf(service, "entrypoint")!);
        }
        else if (command is not null)
        {
            Put(result, KeyOf(service, "command")!, command);
        }

        var runtime = (Get(own, "runtime") as YamlScalarNode)?.Value;
        var runsCommand = Get(result, "command") is not null || Get(own, "command") is not null || Get(own, "project") is not null || Get(own, "external") is not null;
        var image = Get(service, "image");
        var inImage = runtime is "docker" or "oci";
        if (image is YamlScalarNode { Value: { } imageName })
        {
            if (inImage)
            {
                Put(result, KeyOf(service, "image")!, image);
            }
            else if (!runsCommand && runtime is null)
            {
                _errors.Add(image, $"{path}.image", $"image '{YamlFields.Printable(imageName)}' has no command: Shoal's docker runtime runs the command you give inside the image (command: [...] with {ComposeKeys.Shoal}: {{ runtime: docker }}), or give the command that runs it on this host");
                Unrunnable(result, image);
            }
            else
            {
                _errors.Warn(image, $"{path}.image", $"image '{YamlFields.Printable(imageName)}' is not run: the service runs its command on this host; {ComposeKeys.Shoal}: {{ runtime: docker }} runs it in the image instead");
            }
        }

        if (Get(service, "build") is { } build)
        {
            if (runsCommand || (inImage && image is not null))
            {
                _errors.Warn(KeyOf(service, "build")!, $"{path}.build", runsCommand
                    ? "not built: Shoal builds no images, the service runs its command"
                    : "not built: Shoal builds no images, the engine runs the image as it is");
            }
            else
            {
                _errors.Add(build, $"{path}.build", $"Shoal builds no images: give the command the image would run (command: …), a .NET project ({ComposeKeys.Shoal}: {{ project: src/App/App.csproj }}), or an image with {ComposeKeys.Shoal}: {{ runtime: docker }}");
                Unrunnable(result, build);
            }
        }
    }

    // The error is said: a stand-in command keeps the loader from saying "missing command" about the same service.
    private void Unrunnable(YamlMappingNode result, YamlNode at)
    {
        if (Get(result, "command") is null)
        {
            Put(result, "command", Made(new YamlSequenceNode(Text("unrunnable", at)), at), at);
        }
    }

    // A string is split as Compose splits it (quotes, no shell); the parts stand for the string.
    private List<YamlNode> Argv(YamlNode node, string field)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text }:
                return CommandLineSplitter.Split(text).Select(a => (YamlNode)Text(a, node)).ToList();
            case YamlSequenceNode list:
                return list.Children.ToList();
            default:
                _errors.Add(node, field, $"expected a command as a list or a string, got {YamlFields.Describe(node)}");
                return [];
        }
    }

    // A container's working_dir (/app) rarely exists on the host; one that does is used, else the stack's directory.
    private void WorkingDirectory(YamlMappingNode result, YamlNode key, YamlNode value, string field)
    {
        if (value is not YamlScalarNode { Value: { Length: > 0 } dir })
        {
            Put(result, key, value);
            return;
        }

        var full = Path.GetFullPath(Path.Combine(_directories.GetValueOrDefault(value, _stackDirectory), dir));
        if (Directory.Exists(full))
        {
            Put(result, key, Text(full, value));
        }
        else
        {
            _errors.Warn(value, field, $"'{YamlFields.Printable(dir)}' is no directory on this host ({full}): the service runs in the stack's directory");
        }
    }

    private void Volumes(YamlMappingNode service, string path, YamlMappingNode own)
    {
        if (KeyOf(service, "volumes") is not { } key || Get(service, "volumes") is not YamlSequenceNode { Children.Count: > 0 } volumes)
        {
            return;
        }

        var runtime = (Get(own, "runtime") as YamlScalarNode)?.Value ?? "process";
        var named = volumes.Children.Select(v => v is YamlScalarNode { Value: { } t } && t.Contains(':', StringComparison.Ordinal) ? t.Split(':')[0] : null)
            .Any(s => s is { Length: > 0 } && !s.StartsWith('.') && !s.StartsWith('/') && !s.StartsWith('~'));
        _errors.Warn(key, $"{path}.volumes", $"not mounted: runtime {runtime} runs the command on the host's files, where a bind mount's source already is at its own path{(named ? "; named volumes are not created" : string.Empty)}");
    }

    private static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } k } && k == key).Value;

    private static YamlNode? KeyOf(YamlMappingNode map, string key) =>
        map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } v } && v == key);
}
