using Npgsql;
using Shoal.Samples.Shared;

namespace Shoal.Samples.Tests.Shared;

public sealed class DatabaseUrlTests
{
    [Fact]
    public void ToConnectionString_PostgresUrl_EscapedPartsAndDefaultPort()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseUrl.ToConnectionString("postgres://led%20ger:p%3Ass@127.0.0.1/ledger_db"));

        Assert.Equal(("127.0.0.1", 5432, "ledger_db", "led ger", "p:ss"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
    }

    [Fact]
    public void ToConnectionString_KeyValueForm_PassedThrough()
    {
        const string connectionString = "Host=127.0.0.1;Port=5433;Database=app;Username=app";

        Assert.Equal(connectionString, DatabaseUrl.ToConnectionString(connectionString));
    }
}
