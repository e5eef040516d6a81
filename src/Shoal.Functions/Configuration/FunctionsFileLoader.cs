using System.Text.RegularExpressions;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Functions.Configuration;

/// <summary>
/// Reads and validates <c>functions.yml</c> and <c>routing.yml</c>; every problem in either file is reported
/// with file, line and field before anything starts.
/// </summary>
/// <remarks>
/// API keys are hashed as they are read and never kept in plain text. Prefer <c>sha256</c> (the key's hash in the file)
/// or <c>env</c> (a variable holding the key, read at load) to <c>value</c>, which puts the key itself in the file.
/// </remarks>
public static partial class FunctionsFileLoader
{
    /// <summary>The functions file looked for next to <c>shoal.yml</c> when none is given.</summary>
    public static IReadOnlyList<string> DefaultFunctionsFileNames { get; } = ["functions.yml", "functions.yaml"];

    /// <summary>The routing file looked for next to <c>shoal.yml</c> when none is given.</summary>
    public static IReadOnlyList<string> DefaultRoutingFileNames { get; } = ["routing.yml", "routing.yaml"];

    /// <summary>
    /// Finds the functions and routing files: explicit paths (relative to <paramref name="stackDirectory"/>) win,
    /// whether they exist or not; otherwise <c>functions.yml</c> and <c>routing.yml</c> next to <c>shoal.yml</c>, if there.
    /// </summary>
    /// <remarks>A routing file without a functions file is returned as found; the caller reports it.</remarks>
    public static (string? Functions, string? Routing) Locate(string stackDirectory, string? functionsPath, string? routingPath)
    {
        ArgumentNullException.ThrowIfNull(stackDirectory);
        return (Find(stackDirectory, functionsPath, DefaultFunctionsFileNames), Find(stackDirectory, routingPath, DefaultRoutingFileNames));
    }

    /// <summary>Loads and validates the functions file and, unless <paramref name="routingPath"/> is null, the routing file.</summary>
    /// <remarks>Messages name the files by their file name: <c>functions.yml:7:5: functions.hello.timeout: …</c>.</remarks>
    /// <exception cref="ConfigFileException">A file is missing or invalid; <see cref="ConfigFileException.Errors"/> lists every problem of both.</exception>
    public static FunctionsConfiguration Load(string functionsPath, string? routingPath) =>
        Load(functionsPath, routingPath, Environment.GetEnvironmentVariable);

    /// <summary>Loads with <paramref name="environment"/> answering for environment variables (internal for tests).</summary>
    internal static FunctionsConfiguration Load(string functionsPath, string? routingPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(functionsPath);
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(functionsPath))
        {
            throw new ConfigFileException($"{functionsPath}: no such functions file.");
        }

        if (routingPath is not null && !File.Exists(routingPath))
        {
            throw new ConfigFileException($"{routingPath}: no such routing file.");
        }

        var functionsErrors = new YamlErrors(Path.GetFileName(functionsPath));
        var functionsRoot = ReadDocument(functionsPath, functionsErrors, "the functions file must be a mapping with a 'functions:' section");
        var functions = functionsRoot is null ? null : ReadFunctions(functionsRoot, DirectoryOf(functionsPath), functionsErrors);

        var routingErrors = new YamlErrors(routingPath is null ? string.Empty : Path.GetFileName(routingPath));
        var routing = RoutingSection.Empty;
        if (routingPath is not null)
        {
            var routingRoot = ReadDocument(routingPath, routingErrors, "the routing file must be a mapping with a 'routes:' list (and optionally 'auth:' and 'stage:')");
            if (routingRoot is not null)
            {
                routing = ReadRouting(routingRoot, DirectoryOf(routingPath), routingErrors, functions, functionsErrors.File, environment);
            }
        }

        // One exception for both files: fixing one file must not reveal a second round of errors in the other.
        var errors = InFileOrder(functionsErrors).Concat(InFileOrder(routingErrors)).ToList();
        if (errors.Count > 0)
        {
            throw new ConfigFileException(errors);
        }

        return new FunctionsConfiguration
        {
            Functions = functions?.Definitions ?? [],
            Routes = routing.Routes,
            Auth = routing.Auth,
            Stage = routing.Stage,
        };
    }

    private static string? Find(string directory, string? explicitPath, IReadOnlyList<string> names)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return Path.Combine(directory, explicitPath);
        }

        foreach (var name in names)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path))!;

    private static IEnumerable<ConfigError> InFileOrder(YamlErrors errors) => errors.All.OrderBy(e => e.Line).ThenBy(e => e.Column);

    private static YamlMappingNode? ReadDocument(string path, YamlErrors errors, string shape)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"{path}: cannot read: {ex.Message}", ex);
        }

        return YamlDocuments.LoadMapping(text, errors, shape);
    }

    private static int LineOf(YamlNode node) => (int)node.Start.Line;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
