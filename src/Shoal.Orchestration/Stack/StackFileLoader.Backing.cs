using System.Text.RegularExpressions;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack;

/// <summary><c>postgres:</c> and <c>redis:</c>: a service whose server Shoal runs from the host's binaries.</summary>
public static partial class StackFileLoader
{
    private static readonly string[] s_postgresKeys = ["databases", "port", "settings", "user", "password", "volume"];
    private static readonly string[] s_redisKeys = ["port", "settings", "volume"];

    // What a template service cannot have: Shoal makes its command, port and health check itself.
    private static readonly string[] s_notWithBacking = ["command", "project", "external", "health", "routes", "port"];

    /// <summary>The database names PostgreSQL's templates and Shoal's bookkeeping keep for themselves.</summary>
    private static readonly string[] s_reservedDatabases = ["template0", "template1"];

    /// <summary>The value of <c>databases:</c> that gives each dependant a database and role of its own.</summary>
    public const string PerDependant = "per_dependant";

    private static BackingServiceDefinition? ReadBacking(string name, YamlFields f)
    {
        var keys = new[] { "postgres", "redis" }.Where(k => f.KeyNode(k) is not null).ToList();
        if (keys.Count == 0)
        {
            return null;
        }

        if (keys.Count > 1)
        {
            f.Errors.Add(f.KeyNode("redis")!, f.FieldPath("redis"), "a service runs one server: give either 'postgres' or 'redis', not both");
        }

        var key = keys[0];
        var kind = key == "postgres" ? BackingKind.Postgres : BackingKind.Redis;
        foreach (var other in s_notWithBacking.Where(k => f.KeyNode(k) is not null))
        {
            f.Errors.Add(f.KeyNode(other)!, f.FieldPath(other), other == "port"
                ? $"a {key} service's port goes under {key}: {{ port: auto }} (or a number)"
                : $"a {key} service runs the server itself{(other is "health" ? " and checks its readiness" : other is "routes" ? ", which speaks no HTTP for the gateway to route to" : string.Empty)}: drop '{other}'");
        }

        if (f.GetInt("replicas", 0, 64) is > 1)
        {
            f.Errors.Add(f.Get("replicas")!, f.FieldPath("replicas"), $"a {key} service runs one server on one data directory: replicas must be 0 or 1");
        }

        var keyNode = f.KeyNode(key)!;
        var at = new FieldLocation((int)keyNode.Start.Line, (int)keyNode.Start.Column);
        var value = f.Get(key);
        if (value is not null and not YamlMappingNode)
        {
            f.Errors.Add(value, f.FieldPath(key), $"expected a mapping ({string.Join(", ", kind == BackingKind.Postgres ? s_postgresKeys : s_redisKeys)}) or {{}}, got {YamlFields.Describe(value)}");
            return new BackingServiceDefinition { Kind = kind, Volume = name, At = at };
        }

        // 'redis:' with nothing after it is 'redis: {}'.
        var t = value is YamlMappingNode map
            ? new YamlFields(map, f.FieldPath(key), f.Errors, kind == BackingKind.Postgres ? s_postgresKeys : s_redisKeys)
            : new YamlFields(new YamlMappingNode(), f.FieldPath(key), f.Errors);
        var definition = new BackingServiceDefinition
        {
            Kind = kind,
            Volume = ReadVolumeName(t) ?? name,
            Port = t.Get("port") is YamlScalarNode { Value: "auto" } ? null : t.GetInt("port", 1, 65535),
            Settings = ReadSettings(t, kind),
            At = at,
        };
        if (kind == BackingKind.Redis)
        {
            return definition;
        }

        var (perDependant, databases) = ReadDatabases(t, name);
        return definition with
        {
            PerDependant = perDependant,
            Databases = databases,
            User = ReadIdentifier(t, "user") ?? "postgres",
            Password = ReadSecret(t, "password"),
        };
    }

    private static (bool PerDependant, List<string> Databases) ReadDatabases(YamlFields t, string service)
    {
        var fallback = new List<string> { service.Replace('-', '_') };
        switch (t.Get("databases"))
        {
            case null:
                return (false, fallback);
            case YamlScalarNode { Value: PerDependant }:
                return (true, []);
            case YamlScalarNode scalar:
                t.Errors.Add(scalar, t.FieldPath("databases"), $"expected {PerDependant} (a database and role for each dependant) or a list of database names, got '{YamlFields.Printable(scalar.Value ?? string.Empty)}'{Hint(scalar.Value ?? string.Empty, [PerDependant])}");
                return (false, fallback);
        }

        var names = new List<string>();
        foreach (var (node, name) in t.GetStringList("databases") ?? [])
        {
            if (!IdentifierPattern().IsMatch(name) || s_reservedDatabases.Contains(name, StringComparer.Ordinal))
            {
                t.Errors.Add(node, t.FieldPath("databases"), $"'{YamlFields.Printable(name)}' is not a database name Shoal creates: lower-case letters, digits and '_', starting with a letter or '_', at most 63 (not template0 or template1)");
            }
            else if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        if (names.Count == 0 && t.Get("databases") is YamlSequenceNode { Children.Count: 0 } empty)
        {
            t.Errors.Add(empty, t.FieldPath("databases"), $"the list is empty: name at least one database, or write {PerDependant}");
        }

        return (false, names.Count == 0 ? fallback : names);
    }

    private static Dictionary<string, string> ReadSettings(YamlFields t, BackingKind kind)
    {
        var settings = t.GetStringMap("settings") ?? new Dictionary<string, string>();
        var pattern = kind == BackingKind.Postgres ? PostgresSettingPattern() : RedisSettingPattern();
        foreach (var (name, value) in settings)
        {
            if (!pattern.IsMatch(name))
            {
                t.Errors.Add(t.Get("settings")!, YamlFields.Join(t.FieldPath("settings"), YamlFields.Printable(name)), kind == BackingKind.Postgres
                    ? "not a PostgreSQL setting name: lower-case letters, digits, '_' and '.' (e.g. max_connections)"
                    : "not a Redis setting name: lower-case letters, digits and '-' (e.g. maxmemory-policy)");
            }
            else if (value.Any(char.IsControl))
            {
                t.Errors.Add(t.Get("settings")!, YamlFields.Join(t.FieldPath("settings"), name), "a setting's value cannot hold a control character (a newline, U+0000)");
            }
        }

        return settings;
    }

    private static string? ReadVolumeName(YamlFields t)
    {
        var name = t.GetString("volume");
        if (name is not null && !VolumeNamePattern().IsMatch(name))
        {
            t.Errors.Add(t.Get("volume")!, t.FieldPath("volume"), $"'{YamlFields.Printable(name)}' is not a volume name: letters, digits, '_', '.' and '-', starting with a letter or digit (it is a directory under .shoal/volumes/)");
            return null;
        }

        return name;
    }

    private static string? ReadIdentifier(YamlFields t, string key)
    {
        var name = t.GetString(key);
        if (name is not null && !IdentifierPattern().IsMatch(name))
        {
            t.Errors.Add(t.Get(key)!, t.FieldPath(key), $"'{YamlFields.Printable(name)}' is not a role name Shoal creates: lower-case letters, digits and '_', starting with a letter or '_', at most 63");
            return null;
        }

        return name;
    }

    private static string? ReadSecret(YamlFields t, string key)
    {
        var secret = t.GetString(key);
        if (secret is not null && (secret.Length == 0 || secret.Any(char.IsControl)))
        {
            t.Errors.Add(t.Get(key)!, t.FieldPath(key), "a password is not empty and holds no control character (a newline, U+0000)");
            return null;
        }

        return secret;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_.]{0,62}$")]
    private static partial Regex PostgresSettingPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex RedisSettingPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex VolumeNamePattern();
}
