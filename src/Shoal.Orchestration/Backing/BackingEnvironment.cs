using System.Globalization;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// The connection details a dependant of backing services gets, with their passwords: <c>ConnectionStrings__NAME</c> for each (as .NET's
/// configuration reads it), and <c>DATABASE_URL</c> / <c>REDIS_URL</c> when it depends on exactly one of that kind.
/// A variable the service sets itself in <c>env</c> is left as written.
/// </summary>
internal static class BackingEnvironment
{
    /// <summary>The variables <paramref name="dependant"/> gets from the endpoints of the services it depends on.</summary>
    public static Dictionary<string, string> For(ServiceDefinition dependant, IReadOnlyDictionary<string, BackingEndpoint> endpoints)
    {
        var used = dependant.DependsOn.Select(d => endpoints.GetValueOrDefault(d.Service)).OfType<BackingEndpoint>().ToList();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in used)
        {
            var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
            if (endpoint.Kind == BackingKind.Redis)
            {
                // StackExchange.Redis's configuration string, and the redis:// URL with the user named: redis-cli 7.0
                // reads redis://:PASS@ as the user "" (WRONGPASS), every client reads default:PASS as Redis 6+ means it.
                var password = endpoint.Password is { } p ? ",password=" + p : string.Empty;
                var auth = endpoint.Password is { } q ? $"default:{Uri.EscapeDataString(q)}@" : string.Empty;
                variables[$"ConnectionStrings__{endpoint.Service}"] = $"127.0.0.1:{port}{password}";
                if (used.Count(e => e.Kind == BackingKind.Redis) == 1)
                {
                    variables["REDIS_URL"] = $"redis://{auth}127.0.0.1:{port}";
                }

                continue;
            }

            var login = endpoint.Logins[dependant.Name];
            // The builder quotes a value that needs it (a password with ';' given in the file).
            var npgsql = new System.Data.Common.DbConnectionStringBuilder
            {
                ["Host"] = "127.0.0.1",
                ["Port"] = port,
                ["Username"] = login.User,
                ["Password"] = login.Password,
                ["Database"] = login.Database,
            };
            variables[$"ConnectionStrings__{endpoint.Service}"] = npgsql.ConnectionString;
            if (used.Count(e => e.Kind == BackingKind.Postgres) == 1)
            {
                variables["DATABASE_URL"] = $"postgres://{Uri.EscapeDataString(login.User)}:{Uri.EscapeDataString(login.Password)}@127.0.0.1:{port}/{Uri.EscapeDataString(login.Database)}";
            }
        }

        foreach (var name in dependant.Environment.Keys)
        {
            variables.Remove(name);
        }

        return variables;
    }

    /// <summary><paramref name="dependant"/> with its backing services' variables under its own <c>env</c>.</summary>
    public static ServiceDefinition Apply(ServiceDefinition dependant, IReadOnlyDictionary<string, BackingEndpoint> endpoints)
    {
        var added = For(dependant, endpoints);
        if (added.Count == 0)
        {
            return dependant;
        }

        var environment = new Dictionary<string, string>(added, StringComparer.Ordinal);
        foreach (var (name, value) in dependant.Environment)
        {
            environment[name] = value;
        }

        return dependant with { Environment = environment };
    }
}
