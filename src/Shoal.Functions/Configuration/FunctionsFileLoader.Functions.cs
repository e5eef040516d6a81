using System.Text.RegularExpressions;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Functions.Configuration;

// The functions.yml half of the loader.
public static partial class FunctionsFileLoader
{
    private static readonly string[] s_functionsTopKeys = ["functions"];
    private static readonly string[] s_functionKeys =
    [
        "command", "handler", "code", "memory", "timeout", "init_timeout", "environment", "inherit_env", "version", "concurrency", "idle_timeout", "max_lifetime",
        "runtime", "image", "network", "user", "resources", "idle",
    ];
    private static readonly string[] s_concurrencyKeys = ["max", "min_warm", "queue", "queue_timeout"];

    // Set by the instance's runtime from the definition itself (as Lambda reserves them).
    private static readonly HashSet<string> s_reservedVariables = new(StringComparer.Ordinal)
    {
        "_HANDLER", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "LAMBDA_TASK_ROOT",
    };

    private static readonly FunctionDefinition s_defaults = new() { Name = string.Empty, Command = [], CodeDirectory = string.Empty };

    /// <summary>The functions read, and every name declared (even of a function too broken to read), for checking routes.</summary>
    private sealed record FunctionsSection(List<FunctionDefinition> Definitions, HashSet<string> Names);

    private static FunctionsSection ReadFunctions(YamlMappingNode root, string directory, YamlErrors errors)
    {
        var top = new YamlFields(root, string.Empty, errors, s_functionsTopKeys);
        var section = new FunctionsSection([], new HashSet<string>(StringComparer.Ordinal));
        var node = top.Get("functions");
        if (node is null)
        {
            errors.Add(root, "functions", "missing: the file needs a 'functions:' mapping with at least one function");
            return section;
        }

        if (node is not YamlMappingNode functions)
        {
            errors.Add(node, "functions", $"expected a mapping of function names to functions, got {YamlFields.Describe(node)}");
            return section;
        }

        if (functions.Children.Count == 0)
        {
            errors.Add(node, "functions", "no functions: give at least one, e.g. hello: { command: [bash, bootstrap], code: ./hello }");
            return section;
        }

        foreach (var (key, value) in functions.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var path = $"functions.{name}";
            section.Names.Add(name);
            if (!NamePattern().IsMatch(name))
            {
                errors.Add(key, path, "a function name uses letters, digits, '-' and '_' (1 to 64 characters)");
            }

            if (value is not YamlMappingNode map)
            {
                errors.Add(value, path, $"expected a mapping with 'command' and 'code', got {YamlFields.Describe(value)}");
                continue;
            }

            var fields = new YamlFields(map, path, errors, s_functionKeys);
            section.Definitions.Add(ReadFunction(name, fields, directory, $"{errors.File}:{LineOf(key)}"));
        }

        return section;
    }

    private static FunctionDefinition ReadFunction(string name, YamlFields f, string directory, string source)
    {
        var command = ReadCommand(f);
        var code = ReadCode(f, directory);
        var version = f.GetString("version");
        if (version is { Length: 0 })
        {
            f.Errors.Add(f.Get("version")!, f.FieldPath("version"), "the version is empty; leave it out for $LATEST");
        }

        var (isolation, resourcesMemoryMb) = ReadIsolation(f, directory);
        return new FunctionDefinition
        {
            Name = name,
            Command = command ?? [],
            Handler = f.GetString("handler") ?? s_defaults.Handler,
            CodeDirectory = code ?? string.Empty,
            MemoryMb = f.GetInt("memory", MinMemoryMb, MaxMemoryMb) ?? resourcesMemoryMb ?? s_defaults.MemoryMb,
            Timeout = f.GetDuration("timeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15)) ?? s_defaults.Timeout,
            InitTimeout = f.GetDuration("init_timeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15)) ?? s_defaults.InitTimeout,
            Environment = ReadEnvironment(f),
            InheritEnvironment = ReadInherit(f),
            Version = version is { Length: > 0 } ? version : s_defaults.Version,
            Concurrency = ReadConcurrency(f),
            IdleTimeout = f.GetDuration("idle_timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(24)) ?? s_defaults.IdleTimeout,
            MaxLifetime = f.GetDuration("max_lifetime", TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(24)) ?? s_defaults.MaxLifetime,
            Isolation = isolation,
            Source = source,
        };
    }

    private static List<string>? ReadCommand(YamlFields f)
    {
        var node = f.Get("command");
        List<string>? argv;
        switch (node)
        {
            case null:
                f.Errors.Add(f.Node, f.FieldPath("command"), "missing: give the runtime's bootstrap as a list (e.g. [bash, bootstrap]) or a command line");
                return null;
            case YamlScalarNode { Value: { } text }:
                argv = Shoal.Text.CommandLineSplitter.Split(text);
                break;
            case YamlSequenceNode:
                argv = f.GetStringList("command")!.ConvertAll(i => i.Value);
                break;
            default:
                f.Errors.Add(node, f.FieldPath("command"), $"expected the argv as a list (e.g. [bash, bootstrap]) or a string, got {YamlFields.Describe(node)}");
                return null;
        }

        if (argv.Count == 0 || argv[0].Length == 0)
        {
            f.Errors.Add(node, f.FieldPath("command"), "the command is empty");
            return null;
        }

        if (argv.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            f.Errors.Add(node, f.FieldPath("command"), "an argument cannot hold a NUL character (U+0000)");
            return null;
        }

        return argv;
    }

    private static string? ReadCode(YamlFields f, string directory)
    {
        var code = f.GetPath("code");
        if (code is null)
        {
            if (f.Get("code") is null)
            {
                f.Errors.Add(f.Node, f.FieldPath("code"), "missing: give the directory that holds the function's code, e.g. ./hello");
            }

            return null;
        }

        if (code.Length == 0)
        {
            f.Errors.Add(f.Get("code")!, f.FieldPath("code"), "the code directory is empty; write . for the directory of this file");
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(directory, code));
        if (!Directory.Exists(full))
        {
            f.Errors.Add(f.Get("code")!, f.FieldPath("code"), $"no directory at '{code}' (resolved to {full})");
            return null;
        }

        return full;
    }

    private static List<string> ReadInherit(YamlFields f)
    {
        var names = new List<string>();
        foreach (var (node, name) in f.GetStringList("inherit_env") ?? [])
        {
            if (!VariablePattern().IsMatch(name))
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"'{name}' is not a variable name: use letters, digits and '_', not starting with a digit");
            }
            else if (name is Shoal.Http.AdminAuthentication.TokenVariable or Shoal.Http.AdminAuthentication.OperatorTokenVariable)
            {
                f.Errors.Add(node, f.FieldPath("inherit_env"), $"{name} is Shoal's own secret and never passed to a function");
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static Dictionary<string, string> ReadEnvironment(YamlFields f)
    {
        var variables = f.GetStringMap("environment") ?? new Dictionary<string, string>(StringComparer.Ordinal);
        if (f.Get("environment") is not YamlMappingNode map)
        {
            return variables;
        }

        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var field = YamlFields.Join(f.FieldPath("environment"), name);
            if (!VariablePattern().IsMatch(name))
            {
                f.Errors.Add(key, field, $"'{YamlFields.Printable(name)}' is not a variable name: use letters, digits and '_', not starting with a digit");
            }
            else if (variables.GetValueOrDefault(name)?.Contains('\0', StringComparison.Ordinal) == true)
            {
                f.Errors.Add(key, field, "a value cannot hold a NUL character (U+0000)");
            }
            else if (s_reservedVariables.Contains(name))
            {
                f.Errors.Add(key, field, $"{name} is reserved: Shoal sets it from the function's definition");
            }
        }

        return variables;
    }

    private static ConcurrencySettings ReadConcurrency(YamlFields f)
    {
        var c = f.GetMap("concurrency", s_concurrencyKeys);
        var defaults = new ConcurrencySettings();
        if (c is null)
        {
            return defaults;
        }

        var max = c.GetInt("max", 1, 1000) ?? defaults.Max;
        var minWarm = c.GetInt("min_warm", 0, 1000) ?? defaults.MinWarm;
        if (minWarm > max)
        {
            c.Errors.Add(c.Get("min_warm")!, c.FieldPath("min_warm"), $"{minWarm} is more than max ({max}): at most max instances can be kept warm");
        }

        return new ConcurrencySettings
        {
            Max = max,
            MinWarm = minWarm,
            QueueDepth = c.GetInt("queue", 0, 100_000) ?? defaults.QueueDepth,
            QueueTimeout = c.GetDuration("queue_timeout", TimeSpan.Zero, TimeSpan.FromMinutes(15)) ?? defaults.QueueTimeout,
        };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();
}
