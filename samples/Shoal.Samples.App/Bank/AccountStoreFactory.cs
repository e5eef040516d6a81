using Shoal.Samples.Shared;

namespace Shoal.Samples.App.Bank;

/// <summary>PostgreSQL when DATABASE_URL is set, else a SQLite file.</summary>
public static class AccountStoreFactory
{
    /// <param name="configuration">DATABASE_URL, SQLITE_PATH, SHOAL_DATA_DIR.</param>
    /// <param name="time">Stamps the events.</param>
    /// <param name="recordEvents">Whether a transfer also writes its event to the outbox (only when something drains it).</param>
    public static IAccountStore Create(IConfiguration configuration, TimeProvider time, bool recordEvents)
    {
        var databaseUrl = configuration["DATABASE_URL"];
        if (!string.IsNullOrWhiteSpace(databaseUrl))
        {
            return new PostgresAccountStore(DatabaseUrl.ToConnectionString(databaseUrl), time, recordEvents);
        }

        var path = configuration["SQLITE_PATH"];
        if (string.IsNullOrWhiteSpace(path))
        {
            var dir = configuration["SHOAL_DATA_DIR"] ?? ".";
            path = Path.Combine(dir, "bank.db");
        }

        return new SqliteAccountStore(path, time, recordEvents);
    }
}
