using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shoal.Samples.Shared;

namespace Shoal.Samples.Ledger;

/// <summary>
/// The transfers the ledger has seen, keyed by transfer id: recording one twice is a no-op, which makes a redelivered
/// event harmless. PostgreSQL when <c>DATABASE_URL</c> is set (its own database in a stack), else a SQLite file.
/// </summary>
public sealed class LedgerStore(DbDataSource dataSource, bool postgres) : IAsyncDisposable
{
    /// <summary>From <c>DATABASE_URL</c>, else <c>SQLITE_PATH</c>, else <c>ledger.db</c> in <c>SHOAL_DATA_DIR</c>.</summary>
    public static LedgerStore Create(IConfiguration configuration)
    {
        if (configuration["DATABASE_URL"] is { Length: > 0 } url)
        {
            return new LedgerStore(NpgsqlDataSource.Create(DatabaseUrl.ToConnectionString(url)), postgres: true);
        }

        var path = configuration["SQLITE_PATH"] is { Length: > 0 } p ? p : Path.Combine(configuration["SHOAL_DATA_DIR"] ?? ".", "ledger.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Pooling = true, DefaultTimeout = 30 }.ToString();
        return new LedgerStore(SqliteFactory.Instance.CreateDataSource(connectionString), postgres: false);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var key = postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        await ExecuteAsync(postgres ? "SELECT 1;" : "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS entries (seq {key}, transfer_id TEXT NOT NULL UNIQUE, from_account TEXT NOT NULL,
                to_account TEXT NOT NULL, amount BIGINT NOT NULL, stream_id TEXT NOT NULL);
            """, cancellationToken);
    }

    /// <summary>Records a transfer; false when its id was recorded before (a redelivery).</summary>
    public async Task<bool> RecordAsync(TransferEvent transfer, string streamId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO entries (transfer_id, from_account, to_account, amount, stream_id) VALUES (@id, @from, @to, @amount, @stream) ON CONFLICT (transfer_id) DO NOTHING;");
        Add(command, "id", transfer.TransferId);
        Add(command, "from", transfer.From);
        Add(command, "to", transfer.To);
        Add(command, "amount", transfer.Amount);
        Add(command, "stream", streamId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>How many transfers, their total, and the ids of the last <paramref name="last"/>, newest first.</summary>
    public async Task<(long Count, long Sum, IReadOnlyList<string> LastIds)> SummaryAsync(int last, CancellationToken cancellationToken)
    {
        long count, sum;
        await using (var totals = dataSource.CreateCommand("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM entries;"))
        await using (var reader = await totals.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (count, sum) = (Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
        }

        var ids = new List<string>();
        await using (var recent = dataSource.CreateCommand("SELECT transfer_id FROM entries ORDER BY seq DESC LIMIT @last;"))
        {
            Add(recent, "last", last);
            await using var reader = await recent.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }
        }

        return (count, sum, ids);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
