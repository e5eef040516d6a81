using System.Text;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Backing;

/// <summary>
/// The SQL that makes a PostgreSQL service's databases and roles, safe to run again on every start: what exists is
/// kept, passwords are set to the ones kept in the volume. Names are the loader's checked identifiers (lower-case
/// letters, digits, '_') and passwords Shoal's hex, so nothing here needs escaping beyond the quotes.
/// </summary>
internal static class PostgresProvisioning
{
    public static string Sql(BackingServiceDefinition definition, IReadOnlyCollection<PostgresLogin> logins)
    {
        var sql = new StringBuilder();
        if (definition.PerDependant)
        {
            foreach (var login in logins.DistinctBy(l => l.User))
            {
                sql.Append($"SELECT 'CREATE ROLE \"{login.User}\" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{login.User}')\\gexec\n");
                sql.Append($"ALTER ROLE \"{login.User}\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{login.Password}';\n");
                CreateDatabase(sql, login.Database, login.User);

                // Each dependant reaches its own database only: nobody else may connect to it, it may connect nowhere else.
                sql.Append($"REVOKE CONNECT, TEMPORARY ON DATABASE \"{login.Database}\" FROM PUBLIC;\n");
                sql.Append($"GRANT CONNECT, TEMPORARY ON DATABASE \"{login.Database}\" TO \"{login.User}\";\n");
            }

            sql.Append("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;\n");
            return sql.ToString();
        }

        foreach (var database in definition.Databases)
        {
            CreateDatabase(sql, database, definition.User);
        }

        return sql.ToString();
    }

    // CREATE DATABASE cannot run in a DO block: psql's \gexec runs it when the query returns it, once.
    private static void CreateDatabase(StringBuilder sql, string database, string owner) =>
        sql.Append($"SELECT 'CREATE DATABASE \"{database}\" OWNER \"{owner}\"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec\n");
}
