namespace Shoal.Configuration;

/// <summary>
/// The variables a configuration file's <c>${…}</c> read: the environment <c>shoal</c> runs in, over the file's
/// <c>.env</c> (or the one <c>--env-file</c> names) — the environment wins, as in Compose.
/// </summary>
public sealed class FileVariables
{
    /// <summary>The variables Shoal sets per replica: written as <c>${PORT}</c> they are left for the replica's start.</summary>
    public static readonly IReadOnlySet<string> PerReplica = new HashSet<string>(StringComparer.Ordinal)
    {
        "PORT", "ASPNETCORE_URLS", "SHOAL_INSTANCE_ID", "SHOAL_REPLICA", "SHOAL_SERVICE", "SHOAL_VERSION", "SHOAL_STACK", "SHOAL_DATA_DIR", "SHOAL_ADDRESS",
    };

    /// <summary>
    /// The variables a replica of a file whose services are <paramref name="services"/> may get: <see cref="PerReplica"/>
    /// and the discovery variables of each service (<see cref="DiscoveryVariables"/>), left alone in the same way.
    /// </summary>
    public static IReadOnlySet<string> PerReplicaIn(IEnumerable<string> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var names = new HashSet<string>(PerReplica, StringComparer.Ordinal);
        names.UnionWith(services.SelectMany(DiscoveryVariables.For));
        return names;
    }

    internal static readonly IReadOnlySet<string> NoneDeferred = new HashSet<string>();

    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyDictionary<string, string> _file;

    /// <summary>Creates the variables from an environment and a <c>.env</c> file's values.</summary>
    public FileVariables(Func<string, string?> environment, IReadOnlyDictionary<string, string> file)
    {
        _environment = environment;
        _file = file;
    }

    /// <summary>The process environment alone.</summary>
    public static FileVariables Environment { get; } = new(System.Environment.GetEnvironmentVariable, new Dictionary<string, string>());

    /// <summary>
    /// The process environment over the <c>.env</c> beside <paramref name="stackFile"/> (when there is one), or over
    /// <paramref name="envFile"/> when given (it must exist).
    /// </summary>
    /// <exception cref="ConfigFileException">The env file is missing or malformed.</exception>
    public static FileVariables ForFile(string stackFile, string? envFile) => ForFile(stackFile, envFile, System.Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="ForFile(string, string?)"/>, with the environment given.</summary>
    /// <exception cref="ConfigFileException">The env file is missing or malformed.</exception>
    public static FileVariables ForFile(string stackFile, string? envFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (envFile is not null && !File.Exists(envFile))
        {
            throw new ConfigFileException($"{envFile}: no such env file.");
        }

        var path = envFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(stackFile))!, ".env");
        var values = File.Exists(path) ? EnvFile.Load(path, envFile ?? Path.Combine(Path.GetDirectoryName(stackFile) ?? string.Empty, ".env"), environment) : [];
        return new FileVariables(environment, values);
    }

    /// <summary>A variable's value, or null when it is not set.</summary>
    public string? this[string name] => _environment(name) ?? _file.GetValueOrDefault(name);
}
