using System.Text.RegularExpressions;
using Shoal.Configuration;
using Shoal.Processes;
using Shoal.Text;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>One service's isolation: <c>runtime</c>, <c>image</c>, <c>network</c>, <c>user</c>, <c>resources</c> (or Compose's <c>deploy.resources.limits</c>).</summary>
public static partial class StackFileLoader
{
    /// <summary>The smallest memory limit: below it not even a shell starts, and runc refuses it.</summary>
    public const long MinMemoryBytes = 6L << 20;

    private static readonly string[] s_resourceKeys = ["cpus", "memory", "pids"];

    private static readonly Dictionary<string, NetworkMode> s_networks = new(StringComparer.Ordinal)
    {
        ["host"] = NetworkMode.Host,
        ["isolated"] = NetworkMode.Isolated,
    };

    private static ServiceRuntimeDefinition ReadRuntime(YamlFields f, string directory, YamlNode serviceKey, bool readDeploy, bool external)
    {
        var serviceAt = new FieldLocation((int)serviceKey.Start.Line, (int)serviceKey.Start.Column);
        var kind = RuntimeKind.Process;
        if (f.GetString("runtime") is { } name && !RuntimeNames.TryParse(name, out kind))
        {
            f.Errors.Add(f.Get("runtime")!, f.FieldPath("runtime"), $"unknown runtime '{YamlFields.Printable(name)}'{Hint(name, RuntimeNames.All)}; allowed: {string.Join(", ", RuntimeNames.All)}");
        }

        if (external && new[] { "runtime", "image", "network", "user", "resources" }.FirstOrDefault(k => f.Get(k) is not null) is { } given)
        {
            f.Errors.Add(f.KeyNode(given)!, f.FieldPath(given), "an external service runs elsewhere: Shoal starts none of its processes, so it cannot isolate or limit them");
        }

        var network = f.GetEnum("network", s_networks) ?? NetworkMode.Host;
        if (network == NetworkMode.Isolated && kind is not (RuntimeKind.Sandbox or RuntimeKind.Oci))
        {
            f.Errors.Add(f.Get("network")!, f.FieldPath("network"), $"network 'isolated' needs runtime sandbox or oci; runtime {RuntimeNames.Of(kind)} shares the host's network");
        }

        var user = f.GetString("user");
        if (user is not null && !UserPattern().IsMatch(user))
        {
            f.Errors.Add(f.Get("user")!, f.FieldPath("user"), $"'{YamlFields.Printable(user)}' is not a user: give a name (nobody), a uid (65534) or uid:gid (1000:1000)");
            user = null;
        }

        return new ServiceRuntimeDefinition
        {
            Kind = kind,
            Image = ReadImage(f, kind, directory),
            Network = network,
            User = user,
            Limits = ReadLimits(f, readDeploy),
            RuntimeAt = f.Get("runtime") is { } r ? new FieldLocation((int)r.Start.Line, (int)r.Start.Column) : serviceAt,
            UserAt = f.Get("user") is { } u ? new FieldLocation((int)u.Start.Line, (int)u.Start.Column) : serviceAt,
        };
    }

    private static string? ReadImage(YamlFields f, RuntimeKind kind, string directory)
    {
        var image = f.GetPath("image");
        var node = f.Get("image");
        switch (kind)
        {
            case RuntimeKind.Oci when image is null:
                f.Errors.Add(f.KeyNode("runtime") ?? f.Node, f.FieldPath("image"), "runtime oci needs an 'image': a root file system directory, an OCI image layout directory or an OCI/docker-save tarball");
                return null;
            case RuntimeKind.Oci:
                var path = Path.GetFullPath(Path.Combine(directory, image!));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    f.Errors.Add(node!, f.FieldPath("image"), $"no image at '{YamlFields.Printable(image!)}' (resolved to {path})");
                }

                return path;
            case RuntimeKind.Docker when image is null:
                f.Errors.Add(f.KeyNode("runtime") ?? f.Node, f.FieldPath("image"), "runtime docker needs an 'image': the name the engine runs (e.g. nginx:1.27)");
                return null;
            case RuntimeKind.Docker:
                return image;
            default:
                if (image is not null)
                {
                    f.Errors.Add(node!, f.FieldPath("image"), $"'image' is for runtime oci or docker; runtime {RuntimeNames.Of(kind)} runs the command on the host's files");
                }

                return null;
        }
    }

    private static ResourceLimits ReadLimits(YamlFields f, bool readDeploy)
    {
        var direct = f.GetMap("resources", s_resourceKeys);
        YamlFields? compose = null;
        if (readDeploy && f.Get("deploy") is YamlMappingNode deploy
            && deploy.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "resources" }).Value is { } resourcesNode)
        {
            var path = YamlFields.Join(f.FieldPath("deploy"), "resources");
            if (resourcesNode is YamlMappingNode resources)
            {
                compose = new YamlFields(resources, path, f.Errors, "limits").GetMap("limits", s_resourceKeys);
            }
            else if (!YamlFields.IsNull(resourcesNode))
            {
                f.Errors.Add(resourcesNode, path, $"expected a mapping with 'limits' (cpus, memory, pids), got {YamlFields.Describe(resourcesNode)}");
            }
        }

        if (direct is not null && compose is not null)
        {
            f.Errors.Add(compose.Node, compose.Path, "the limits are already given under 'resources': give them in one place");
        }

        var r = direct ?? compose;
        return r is null ? ResourceLimits.None : new ResourceLimits(ReadMemory(r), r.GetDouble("cpus", 0.01, 1024), r.GetInt("pids", 1, 4_194_304));
    }

    private static long? ReadMemory(YamlFields r)
    {
        var node = r.Get("memory");
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode { Value: { } text } || !TryParseMemory(text, out var bytes))
        {
            r.Errors.Add(node, r.FieldPath("memory"), $"expected a size such as 256M, 1G or 512Mi, got {YamlFields.Describe(node)}");
            return null;
        }

        if (bytes < MinMemoryBytes)
        {
            r.Errors.Add(node, r.FieldPath("memory"), $"{text} is too little; allowed from 6M");
            return null;
        }

        return bytes;
    }

    /// <summary>A memory size as Compose and Kubernetes write it (256M, 1G, 512Mi, bytes); a number too large for a long is none; internal for tests.</summary>
    internal static bool TryParseMemory(string text, out long bytes) =>
        ByteSizes.TryParse(text, out bytes) && bytes != long.MaxValue;

    /// <summary>" (did you mean 'x'?)" for a near miss of one of <paramref name="known"/>, else nothing.</summary>
    internal static string Hint(string name, IReadOnlyList<string> known)
    {
        var best = known.MinBy(k => Distance(name, k))!;
        return Distance(name, best) <= Math.Max(1, best.Length / 3) ? $" (did you mean '{best}'?)" : string.Empty;
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 64)
        {
            return int.MaxValue;
        }

        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    [GeneratedRegex(@"^([a-z_][a-z0-9_.-]{0,31}\$?|[0-9]{1,10}(:[0-9]{1,10})?)$")]
    private static partial Regex UserPattern();
}
