using Shoal.Orchestration.Backing;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>
/// <c>image: postgres</c> and <c>image: redis</c> (any tag, also <c>docker.io/library/…</c>) without the docker
/// runtime: Shoal's <c>postgres:</c> and <c>redis:</c> templates run the host's server instead, honouring the official
/// images' <c>POSTGRES_USER</c>, <c>POSTGRES_PASSWORD</c>, <c>POSTGRES_DB</c> and the named volume on their data directory.
/// </summary>
internal sealed partial class ComposeNormalizer
{
    private static readonly string[] s_postgresVariables = ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"];

    // Named volumes a template keeps its data in: the top-level 'volumes:' warns only about the others.
    private readonly HashSet<string> _templateVolumes = new(StringComparer.Ordinal);

    /// <summary>The template an image stands for (<c>postgres</c>, <c>redis</c>), or null; internal for tests.</summary>
    internal static string? TemplateOf(string image)
    {
        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > slash)
        {
            name = name[..colon];
        }

        foreach (var prefix in new[] { "docker.io/library/", "docker.io/", "library/" })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                name = name[prefix.Length..];
                break;
            }
        }

        return name is "postgres" or "redis" ? name : null;
    }

    // An image the templates stand for, with no command and no runtime that runs images.
    private static string? Template(YamlMappingNode service, YamlMappingNode own)
    {
        var runtime = (Get(own, "runtime") as YamlScalarNode)?.Value;
        var runsCommand = Get(service, "command") is not null || Get(service, "entrypoint") is not null || Get(own, "command") is not null || Get(own, "project") is not null;
        return runtime is null && !runsCommand && Get(service, "image") is YamlScalarNode { Value: { } image } ? TemplateOf(image) : null;
    }

    private void Template(YamlMappingNode result, YamlMappingNode service, string name, string template)
    {
        var image = (YamlScalarNode)Get(service, "image")!;
        var settings = Made(new YamlMappingNode(), image);
        var volume = DataVolume(service, template == "postgres" ? ["/var/lib/postgresql/data", "/var/lib/postgresql"] : ["/data"]);
        if (volume is not null)
        {
            _templateVolumes.Add(volume.Value!);
            Put(settings, "volume", volume, volume);
        }

        if (template == "postgres")
        {
            // The official image's variables become the template's; the rest of the environment stays the server's.
            var env = Get(result, "env") as YamlMappingNode ?? new YamlMappingNode();
            var variables = s_postgresVariables.ToDictionary(v => v, v => env.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } k } && k == v));
            foreach (var (_, entry) in variables.Where(v => v.Value.Key is not null))
            {
                env.Children.Remove(entry.Key);
            }

            if (variables["POSTGRES_USER"] is { Key: not null } user)
            {
                Put(settings, "user", user.Value, user.Key);
            }

            if (variables["POSTGRES_PASSWORD"] is { Key: not null } password)
            {
                Put(settings, "password", password.Value, password.Key);
            }

            // The image's database defaults to the user's name, as it does there.
            var database = variables["POSTGRES_DB"] is { Key: not null } db ? db.Value : variables["POSTGRES_USER"] is { Key: not null } u ? u.Value : Text("postgres", image);
            Put(settings, "databases", Made(new YamlSequenceNode(database), database), image);
            if (env.Children.Count == 0 && KeyOf(result, "env") is { } envKey)
            {
                result.Children.Remove(envKey);
            }
        }

        Put(result, template, settings, image);
        var data = volume is null ? name : volume.Value;
        var server = template == "postgres"
            ? BackingBinaries.Host.FindPostgres() is { } bin ? $"PostgreSQL {Path.GetFileName(Path.GetDirectoryName(bin))}" : "PostgreSQL (not installed: apt-get install -y postgresql)"
            : "redis-server";
        var honoured = template == "postgres" ? ", POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB as the image reads them" : ", appendonly";
        _errors.Warn(image, $"services.{name}.image", $"image '{image.Value}' is not run: Shoal's {template} template runs this host's {server} instead (the tag is not used), data in .shoal/volumes/{data}{honoured}; its own readiness check, free port and connection variables (see docs/compose.md) replace healthcheck and ports");
    }

    // The named volume on the image's data directory ("db-data:/var/lib/postgresql/data", or the long form).
    private YamlScalarNode? DataVolume(YamlMappingNode service, string[] targets)
    {
        if (Get(service, "volumes") is not YamlSequenceNode volumes)
        {
            return null;
        }

        foreach (var entry in volumes.Children)
        {
            switch (entry)
            {
                case YamlScalarNode { Value: { } text } scalar when text.Split(':') is [var source, var target, ..] && IsNamed(source) && targets.Contains(target.TrimEnd('/'), StringComparer.Ordinal):
                    return Text(source, scalar);
                case YamlMappingNode map when Get(map, "source") is YamlScalarNode { Value: { } source } && Get(map, "target") is YamlScalarNode { Value: { } target } && IsNamed(source) && targets.Contains(target.TrimEnd('/'), StringComparer.Ordinal):
                    return Text(source, map);
            }
        }

        return null;
    }

    private static bool IsNamed(string source) => source.Length > 0 && !source.StartsWith('.') && !source.StartsWith('/') && !source.StartsWith('~');
}
