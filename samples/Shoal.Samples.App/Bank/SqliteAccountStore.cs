using System.Globalization;
using Microsoft.Data.Sqlite;
using Shoal.Samples.App.Events;

namespace Shoal.Samples.App.Bank;

/// <summary>
/// Accounts in a SQLite file shared by every replica (WAL, immediate transactions). With <paramref name="recordEvents"/>,
/// each transfer's event goes to the outbox table in the same transaction.
/// </summary>
public sealed class SqliteAccountStore(string path, TimeProvider time, bool recordEvents) : IAccountStore, IOutbox
{
    // How long a replica may take to publish the events it leased before another may publish them too.
    private static readonly TimeSpan s_lease = TimeSpan.FromSeconds(30);

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0));", cancellationToken);
        await ExecuteAsync(connection, tx, """
            CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, transfer_id TEXT NOT NULL UNIQUE, from_account TEXT NOT NULL,
                to_account TEXT NOT NULL, amount INTEGER NOT NULL, completed_at TEXT NOT NULL, lease_until INTEGER);
            """, cancellationToken);
        foreach (var account in SeedAccounts.All)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT OR IGNORE INTO accounts (id, balance) VALUES ($id, $balance);";
            insert.Parameters.AddWithValue("$id", account.Id);
            insert.Parameters.AddWithValue("$balance", account.Balance);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, balance FROM accounts ORDER BY id;";
        var accounts = new List<Account>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new Account(reader.GetString(0), reader.GetInt64(1)));
        }

        return accounts;
    }

    public async Task<TransferResult> TransferAsync(string from, string to, long amount, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);

        // BEGIN IMMEDIATE takes the write lock up front, so two replicas never interleave read-then-write.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);
        var fromBalance = await BalanceAsync(connection, tx, from, cancellationToken);
        if (fromBalance is null)
        {
            return TransferResult.Unknown(from);
        }

        var toBalance = await BalanceAsync(connection, tx, to, cancellationToken);
        if (toBalance is null)
        {
            return TransferResult.Unknown(to);
        }

        if (fromBalance < amount)
        {
            return TransferResult.Insufficient(from, fromBalance.Value, amount);
        }

        await AddAsync(connection, tx, from, -amount, cancellationToken);
        await AddAsync(connection, tx, to, amount, cancellationToken);
        var completedAt = time.GetUtcNow();
        var transferId = Guid.CreateVersion7(completedAt).ToString();
        if (recordEvents)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO outbox (transfer_id, from_account, to_account, amount, completed_at) VALUES ($id, $from, $to, $amount, $at);";
            insert.Parameters.AddWithValue("$id", transferId);
            insert.Parameters.AddWithValue("$from", from);
            insert.Parameters.AddWithValue("$to", to);
            insert.Parameters.AddWithValue("$amount", amount);
            insert.Parameters.AddWithValue("$at", completedAt.ToString("O", CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return new TransferResult(TransferOutcome.Done, FromBalance: fromBalance.Value - amount, ToBalance: toBalance.Value + amount, TransferId: transferId);
    }

    public async Task<int> DrainAsync(int max, Func<IReadOnlyList<TransferCompleted>, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        // Lease the rows in a short write transaction and publish outside it: one database lock serves every replica, and
        // holding it for a slow Redis would hold up every transfer. A lease a crashed replica left runs out after s_lease.
        await using var connection = await OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        var events = new SortedList<long, TransferCompleted>();
        await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken))
        {
            await using var lease = connection.CreateCommand();
            lease.Transaction = tx;
            lease.CommandText = """
                UPDATE outbox SET lease_until = $until
                WHERE seq IN (SELECT seq FROM outbox WHERE lease_until IS NULL OR lease_until < $now ORDER BY seq LIMIT $max)
                RETURNING seq, transfer_id, from_account, to_account, amount, completed_at;
                """;
            lease.Parameters.AddWithValue("$until", (now + s_lease).UtcTicks);
            lease.Parameters.AddWithValue("$now", now.UtcTicks);
            lease.Parameters.AddWithValue("$max", max);
            await using (var reader = await lease.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    events.Add(reader.GetInt64(0), new TransferCompleted(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
                        DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
                }
            }

            await tx.CommitAsync(cancellationToken);
        }

        if (events.Count == 0)
        {
            return 0;
        }

        // The seqs come from the table (integers), so they can be part of the statement.
        var seqs = string.Join(',', events.Keys);
        try
        {
            await publish([.. events.Values], cancellationToken);
        }
        catch
        {
            await ExecuteAsync(connection, null, $"UPDATE outbox SET lease_until = NULL WHERE seq IN ({seqs});", CancellationToken.None);
            throw;
        }

        // Not cancelled once published: a row left behind would be published again when its lease ran out.
        await ExecuteAsync(connection, null, $"DELETE FROM outbox WHERE seq IN ({seqs});", CancellationToken.None);
        return events.Count;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout=10000;", cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long?> BalanceAsync(SqliteConnection connection, SqliteTransaction tx, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT balance FROM accounts WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is long balance ? balance : null;
    }

    private static async Task AddAsync(SqliteConnection connection, SqliteTransaction tx, string id, long delta, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "UPDATE accounts SET balance = balance + $delta WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$delta", delta);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
