using System.Globalization;
using System.Text.RegularExpressions;
using Shoal.Configuration;
using Shoal.Processes;
using YamlDotNet.RepresentationModel;

namespace Shoal.Functions.Configuration;

// runtime, image, network, user, resources and idle of one function.
public static partial class FunctionsFileLoader
{
    private const int MinMemoryMb = 128;
    private const int MaxMemoryMb = 10_240;
    private static readonly string[] s_resourceKeys = ["cpus", "memory", "pids"];
    private static readonly string[] s_networkNames = ["host", "isolated"];
    private static readonly string[] s_idleNames = ["stop", "freeze"];

    private static (FunctionIsolation Isolation, int? MemoryMb) ReadIsolation(YamlFields f, string directory)
    {
        var runtime = ReadName(f, "runtime", [.. RuntimeNames.All]) is { } r && RuntimeNames.TryParse(r, out var kind) ? kind : RuntimeKind.Process;
        var network = ReadName(f, "network", s_networkNames) == "isolated" ? NetworkMode.Isolated : NetworkMode.Host;
        if (network == NetworkMode.Isolated && runtime is not (RuntimeKind.Sandbox or RuntimeKind.Oci))
        {
            f.Errors.Add(f.Get("network")!, f.FieldPath("network"), $"an isolated network needs runtime sandbox or oci, not {RuntimeNames.Of(runtime)}");
        }

        var resources = f.GetMap("resources", s_resourceKeys);
        var memoryMb = resources is null ? null : ReadMemory(resources);
        if (memoryMb is not null && f.Get("memory") is not null)
        {
            resources!.Errors.Add(resources.Get("memory")!, resources.FieldPath("memory"), "the memory is given twice: keep either 'memory' (MB) or 'resources.memory'");
        }

        var isolation = new FunctionIsolation
        {
            Runtime = runtime,
            Image = ReadImage(f, runtime, directory),
            Network = network,
            User = ReadUser(f),
            Cpus = resources?.GetDouble("cpus", 0.01, 1024),
            MaxProcesses = resources?.GetInt("pids", 1, 4_194_304),
            Idle = ReadName(f, "idle", s_idleNames) == "freeze" ? IdleMode.Freeze : IdleMode.Stop,
        };
        return (isolation, memoryMb);
    }

    private static string? ReadImage(YamlFields f, RuntimeKind runtime, string directory)
    {
        var image = f.GetString("image");
        if (image is null)
        {
            if (runtime == RuntimeKind.Docker)
            {
                f.Errors.Add(f.Node, f.FieldPath("image"), "missing: runtime docker needs the image to run, e.g. image: public.ecr.aws/lambda/nodejs:20");
            }

            return null;
        }

        if (image.Length == 0 || image.Contains('\0', StringComparison.Ordinal))
        {
            f.Errors.Add(f.Get("image")!, f.FieldPath("image"), "the image is empty; leave it out for the host's directories");
            return null;
        }

        switch (runtime)
        {
            case RuntimeKind.Oci:
                var full = Path.GetFullPath(Path.Combine(directory, image));
                if (!Directory.Exists(full) && !File.Exists(full))
                {
                    f.Errors.Add(f.Get("image")!, f.FieldPath("image"), $"no root file system, OCI layout or image tarball at '{image}' (resolved to {full})");
                }

                return full;
            case RuntimeKind.Docker:
                return image;
            default:
                f.Errors.Add(f.Get("image")!, f.FieldPath("image"), $"an image is for runtime oci or docker; runtime {RuntimeNames.Of(runtime)} runs on the host's directories");
                return null;
        }
    }

    private static string? ReadUser(YamlFields f)
    {
        var user = f.GetString("user");
        if (user is not null && !UserPattern().IsMatch(user))
        {
            f.Errors.Add(f.Get("user")!, f.FieldPath("user"), $"'{YamlFields.Printable(user)}' is not a user: give a name (e.g. shoal-fn), a uid (e.g. 1000) or uid:gid (e.g. 1000:1000)");
            return null;
        }

        return user;
    }

    private static int? ReadMemory(YamlFields resources)
    {
        var node = resources.Get("memory");
        if (node is null)
        {
            return null;
        }

        // A bare number is MB, as the function's own 'memory:' is; a size with a unit (256M, 1G) as Compose writes it.
        var text = (node as YamlScalarNode)?.Value ?? "";
        var match = SizePattern().Match(text);
        if (!match.Success)
        {
            resources.Errors.Add(node, resources.FieldPath("memory"), $"expected MB (e.g. 256) or a size such as 256M or 1G, got {YamlFields.Describe(node)}");
            return null;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var mb = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "K" or "KB" or "KI" or "KIB" => value / 1024,
            "G" or "GB" or "GI" or "GIB" => value * 1024,
            _ => value,
        };
        if (mb is < MinMemoryMb or > MaxMemoryMb || mb != Math.Floor(mb))
        {
            resources.Errors.Add(node, resources.FieldPath("memory"), $"{text} is out of range; allowed {MinMemoryMb} to {MaxMemoryMb} MB in whole MB");
            return null;
        }

        return (int)mb;
    }

    /// <summary>One of <paramref name="names"/>, or null (absent, or reported with the closest name).</summary>
    private static string? ReadName(YamlFields f, string key, string[] names)
    {
        var node = f.Get(key);
        if (node is null)
        {
            return null;
        }

        var text = (node as YamlScalarNode)?.Value;
        if (text is not null && names.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        var hint = text is null ? null : Closest(text, names);
        f.Errors.Add(node, f.FieldPath(key), hint is null
            ? $"expected one of {string.Join(", ", names)}, got {YamlFields.Describe(node)}"
            : $"expected one of {string.Join(", ", names)}, got '{YamlFields.Printable(text!)}' (did you mean '{hint}'?)");
        return null;
    }

    private static string? Closest(string text, string[] names)
    {
        if (text.Length > 32)
        {
            return null;
        }

        var lowered = text.ToLowerInvariant();
        var best = names.MinBy(n => Distance(lowered, n))!;
        return Distance(lowered, best) <= Math.Max(2, text.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }

    [GeneratedRegex("^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}(?::[0-9]{1,10})?)$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)\\s*([KMG]i?B?|[kmg]i?b?)?$")]
    private static partial Regex SizePattern();
}
