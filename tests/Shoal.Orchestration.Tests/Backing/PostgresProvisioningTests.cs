using Shoal.Orchestration.Backing;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Backing;

/// <summary>The provisioning SQL: idempotent creation, and a per-dependant database nobody else may connect to.</summary>
public sealed class PostgresProvisioningTests
{
    [Fact]
    public void PerDependant_CreatesRoleAndDatabaseOnce_AndRevokesConnectFromPublic()
    {
        var definition = new BackingServiceDefinition { Kind = BackingKind.Postgres, Volume = "db", PerDependant = true };

        var sql = PostgresProvisioning.Sql(definition, [new PostgresLogin("orders", "00ff", "orders")]);

        Assert.Equal(
            """
            SELECT 'CREATE ROLE "orders" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'orders')\gexec
            ALTER ROLE "orders" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '00ff';
            SELECT 'CREATE DATABASE "orders" OWNER "orders"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'orders')\gexec
            REVOKE CONNECT, TEMPORARY ON DATABASE "orders" FROM PUBLIC;
            GRANT CONNECT, TEMPORARY ON DATABASE "orders" TO "orders";
            REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;

            """.ReplaceLineEndings("\n"),
            sql);
    }

    [Fact]
    public void DatabaseList_CreatesEachOwnedByTheSuperuser_NoRoles()
    {
        var definition = new BackingServiceDefinition { Kind = BackingKind.Postgres, Volume = "db", Databases = ["shop", "audit"], User = "admin" };

        var sql = PostgresProvisioning.Sql(definition, [new PostgresLogin("admin", "secret", "shop")]);

        Assert.Contains("SELECT 'CREATE DATABASE \"shop\" OWNER \"admin\"'", sql, StringComparison.Ordinal);
        Assert.Contains("SELECT 'CREATE DATABASE \"audit\" OWNER \"admin\"'", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("ROLE", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", sql, StringComparison.Ordinal);
    }
}
