using Shoal.Configuration;
using Shoal.Orchestration.Stack.Compose;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary>
/// Reads and validates <c>shoal.yml</c>; every problem is reported with file, line and field before anything starts.
/// The loader reads <c>services:</c> itself; every other section (and a service's feature keys) comes from the
/// <see cref="IStackSectionReader"/>s it is given.
/// </summary>
public static partial class StackFileLoader
{
    /// <summary>The file names looked for when none is given: Shoal's own, then Compose's.</summary>
    public static readonly string[] DefaultFileNames = ["shoal.yml", "shoal.yaml", .. ComposeFiles.DefaultNames];

    // The loader's own keys; section readers add theirs (gateway, registry, functions, load_balancing, deploy, …).
    private static readonly string[] s_topLevelKeys = ["name", "services"];
    private static readonly string[] s_serviceKeys =
    [
        "command", "project", "replicas", "port", "env", "health", "restart", "depends_on", "routes",
        "working_dir", "version", "stop_grace_period", "inherit_env", "weight", "metadata", "per_replica", "external",
        "runtime", "image", "network", "user", "resources", "postgres", "redis",
    ];

    private static readonly string[] s_replicaKeys = ["weight", "metadata", "env"];

    private static readonly string[] s_healthKeys = ["http", "tcp", "exec", "interval", "start_interval", "timeout", "healthy_threshold", "unhealthy_threshold"];
    private static readonly string[] s_restartKeys = ["policy", "backoff", "max_backoff", "max_restarts", "window"];

    private static readonly Dictionary<string, RestartMode> s_restartModes = new(StringComparer.Ordinal)
    {
        ["always"] = RestartMode.Always,
        ["on-failure"] = RestartMode.OnFailure,
        ["never"] = RestartMode.Never,
    };

    private static readonly Dictionary<string, DependencyCondition> s_conditions = new(StringComparer.Ordinal)
    {
        ["started"] = DependencyCondition.Started,
        ["healthy"] = DependencyCondition.Healthy,
        ["completed"] = DependencyCondition.Completed,
    };

    /// <summary>Finds the stack file: the given path, or <c>shoal.yml</c> in the current directory.</summary>
    public static string Locate(string? path)
    {
        if (!string.IsNullOrEmpty(path))
        {
            return path;
        }

        foreach (var name in DefaultFileNames)
        {
            if (File.Exists(name))
            {
                return name;
            }
        }

        throw new ConfigFileException($"No stack file: neither {string.Join(" nor ", DefaultFileNames)} is in {Environment.CurrentDirectory}; pass one with -f FILE.");
    }

    /// <summary>Loads and validates a stack file of services only: no section reader, so other sections are unknown keys.</summary>
    /// <exception cref="ConfigFileException">The file is missing or invalid.</exception>
    public static StackDefinition Load(string path) => Load(path, []);

    /// <summary>Loads and validates a stack file, with the sections <paramref name="readers"/> read.</summary>
    /// <exception cref="ConfigFileException">The file is missing or invalid.</exception>
    public static StackDefinition Load(string path, IReadOnlyList<IStackSectionReader> readers) => Load(path, readers, envFile: null);

    /// <summary>
    /// Loads and validates a stack file, with the sections <paramref name="readers"/> read and its <c>${…}</c> taken from
    /// the environment over <paramref name="envFile"/> (default: the <c>.env</c> beside the file, when there is one).
    /// </summary>
    /// <exception cref="ConfigFileException">The file or the env file is missing or invalid.</exception>
    public static StackDefinition Load(string path, IReadOnlyList<IStackSectionReader> readers, string? envFile)
    {
        if (ComposeFiles.IsCompose(path))
        {
            return LoadCompose([path], readers, envFile, [], defaultOverride: false);
        }

        if (!File.Exists(path))
        {
            throw new ConfigFileException($"{path}: no such stack file.");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"{path}: cannot read: {ex.Message}", ex);
        }

        return Parse(text, Path.GetFullPath(path), path, readers, FileVariables.ForFile(path, envFile));
    }

    /// <summary>
    /// Loads the stack from <paramref name="paths"/> (none: the file <see cref="Locate"/> finds): one shoal.yml, or
    /// Compose files merged in order (with <c>compose.override.yml</c> when none is named), with the services of
    /// <paramref name="profiles"/> (and <c>COMPOSE_PROFILES</c>) enabled.
    /// </summary>
    /// <exception cref="ConfigFileException">A file is missing or invalid.</exception>
    public static StackDefinition Load(IReadOnlyList<string> paths, IReadOnlyList<IStackSectionReader> readers, string? envFile, IReadOnlyList<string> profiles)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(profiles);
        var files = paths.Count == 0 ? [Locate(null)] : paths;
        if (files.Count > 1 || ComposeFiles.IsCompose(files[0]))
        {
            return LoadCompose(files, readers, envFile, profiles, defaultOverride: paths.Count == 0);
        }

        if (profiles.Count > 0)
        {
            throw new ConfigFileException($"{files[0]}: --profile enables services of a Compose file (compose.yml); a shoal.yml runs all its services.");
        }

        return Load(files[0], readers, envFile);
    }

    /// <summary>Compose files merged in order; with <paramref name="defaultOverride"/> the override file beside the first too (internal for tests).</summary>
    internal static StackDefinition LoadCompose(IReadOnlyList<string> paths, IReadOnlyList<IStackSectionReader> readers, string? envFile, IReadOnlyList<string> profiles, bool defaultOverride)
    {
        var first = paths[0];
        if (!File.Exists(first))
        {
            throw new ConfigFileException($"{first}: no such stack file.");
        }

        var files = paths.Select(p => (Path: p, Display: p)).ToList();
        if (defaultOverride && ComposeFiles.OverrideFor(first) is { } over)
        {
            files.Add((over, over));
        }

        var errors = new YamlErrors(first);
        var variables = FileVariables.ForFile(first, envFile);
        var reader = new ComposeReader(errors, variables);
        var fullPath = Path.GetFullPath(first);
        if (reader.Read(files) is not { } compose)
        {
            throw new ConfigFileException(errors.All);
        }

        var root = new ComposeNormalizer(errors, variables, reader.Directories, Path.GetDirectoryName(fullPath)!, profiles).Normalize(compose);
        return Parse(root, errors, fullPath, readers);
    }

    /// <summary>Validates stack file text of services only; <paramref name="displayName"/> is how messages name the file.</summary>
    /// <exception cref="ConfigFileException">The text is invalid.</exception>
    public static StackDefinition Parse(string yaml, string fullPath, string displayName) => Parse(yaml, fullPath, displayName, []);

    /// <summary>Validates stack file text, with the sections <paramref name="readers"/> read; <paramref name="displayName"/> is how messages name the file.</summary>
    /// <exception cref="ConfigFileException">The text is invalid.</exception>
    public static StackDefinition Parse(string yaml, string fullPath, string displayName, IReadOnlyList<IStackSectionReader> readers) =>
        Parse(yaml, fullPath, displayName, readers, FileVariables.Environment);

    /// <summary>Validates stack file text whose <c>${…}</c> read <paramref name="variables"/>.</summary>
    /// <exception cref="ConfigFileException">The text is invalid.</exception>
    public static StackDefinition Parse(string yaml, string fullPath, string displayName, IReadOnlyList<IStackSectionReader> readers, FileVariables variables)
    {
        ArgumentNullException.ThrowIfNull(readers);
        var errors = new YamlErrors(displayName);
        if (YamlDocuments.LoadMapping(yaml, errors, "the stack file must be a mapping with a 'services:' section", variables) is not { } root)
        {
            throw new ConfigFileException(errors.All);
        }

        return Parse(root, errors, fullPath, readers);
    }

    private static StackDefinition Parse(YamlMappingNode root, YamlErrors errors, string fullPath, IReadOnlyList<IStackSectionReader> readers)
    {
        var top = new YamlFields(root, string.Empty, errors, StackKey.Merge(s_topLevelKeys, readers.SelectMany(r => r.TopLevelKeys)));
        var directory = Path.GetDirectoryName(fullPath)!;
        var name = top.GetString("name") ?? Path.GetFileName(directory);
        var context = new StackReadContext(top, directory);
        var sections = new SectionSet(readers.Select(r => r.ReadStack(context)).OfType<object>().ToList());
        var serviceKeys = StackKey.Merge(s_serviceKeys, readers.SelectMany(r => r.ServiceKeys));
        var services = ReadServices(top, directory, context.ServicesOptional, serviceKeys, readers);

        CheckDependencies(services, top, errors);
        RunToCompletion(services, errors);
        CheckPorts(services, sections, errors);
        CheckRoutes(services, top, errors);
        var check = new StackCheckContext(sections, services.Select(s => new ServiceSections(s.Definition.Name, s.Fields, s.Definition.Sections)).ToList(), errors);
        foreach (var reader in readers)
        {
            reader.Check(check);
        }

        errors.ThrowIfAny();

        return new StackDefinition
        {
            Name = name,
            FilePath = fullPath,
            Services = services.Select(s => s.Definition).ToList(),
            Sections = sections,
            Warnings = errors.Warnings,
        };
    }
}
