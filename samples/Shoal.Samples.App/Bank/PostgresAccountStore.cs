using Npgsql;
using Shoal.Samples.App.Events;

namespace Shoal.Samples.App.Bank;

/// <summary>
/// Accounts in PostgreSQL through one pooled data source; rows are locked in id order so opposite transfers cannot
/// deadlock. With <paramref name="recordEvents"/>, each transfer's event goes to the outbox table in the same transaction.
/// </summary>
public sealed class PostgresAccountStore(string connectionString, TimeProvider time, bool recordEvents) : IAccountStore, IOutbox, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // Replicas start together: serialize schema creation so CREATE TABLE IF NOT EXISTS cannot race.
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(4242);", cancellationToken);
        await ExecuteAsync(connection, tx, "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0));", cancellationToken);
        await ExecuteAsync(connection, tx, """
            CREATE TABLE IF NOT EXISTS outbox (seq BIGSERIAL PRIMARY KEY, transfer_id TEXT NOT NULL UNIQUE, from_account TEXT NOT NULL,
                to_account TEXT NOT NULL, amount BIGINT NOT NULL, completed_at TIMESTAMPTZ NOT NULL);
            """, cancellationToken);
        foreach (var account in SeedAccounts.All)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO accounts (id, balance) VALUES (@id, @balance) ON CONFLICT (id) DO NOTHING;", connection, tx);
            insert.Parameters.AddWithValue("id", account.Id);
            insert.Parameters.AddWithValue("balance", account.Balance);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("SELECT id, balance FROM accounts ORDER BY id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<Account>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(new Account(reader.GetString(0), reader.GetInt64(1)));
        }

        return accounts;
    }

    public async Task<TransferResult> TransferAsync(string from, string to, long amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        var balances = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("SELECT id, balance FROM accounts WHERE id = ANY(@ids) ORDER BY id FOR UPDATE;", connection, tx))
        {
            select.Parameters.AddWithValue("ids", new[] { from, to });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                balances[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        if (!balances.TryGetValue(from, out var fromBalance))
        {
            return TransferResult.Unknown(from);
        }

        if (!balances.TryGetValue(to, out var toBalance))
        {
            return TransferResult.Unknown(to);
        }

        if (fromBalance < amount)
        {
            return TransferResult.Insufficient(from, fromBalance, amount);
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE accounts SET balance = balance + CASE WHEN id = @from THEN -@amount ELSE @amount END WHERE id IN (@from, @to);", connection, tx))
        {
            update.Parameters.AddWithValue("from", from);
            update.Parameters.AddWithValue("to", to);
            update.Parameters.AddWithValue("amount", amount);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        var completedAt = time.GetUtcNow();
        var transferId = Guid.CreateVersion7(completedAt).ToString();
        if (recordEvents)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO outbox (transfer_id, from_account, to_account, amount, completed_at) VALUES (@id, @from, @to, @amount, @at);", connection, tx);
            insert.Parameters.AddWithValue("id", transferId);
            insert.Parameters.AddWithValue("from", from);
            insert.Parameters.AddWithValue("to", to);
            insert.Parameters.AddWithValue("amount", amount);
            insert.Parameters.AddWithValue("at", completedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return new TransferResult(TransferOutcome.Done, FromBalance: fromBalance - amount, ToBalance: toBalance + amount, TransferId: transferId);
    }

    public async Task<int> DrainAsync(int max, Func<IReadOnlyList<TransferCompleted>, CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // The rows stay locked until the delete commits; SKIP LOCKED lets the other replicas publish the rest meanwhile.
        var seqs = new List<long>();
        var events = new List<TransferCompleted>();
        await using (var select = new NpgsqlCommand(
            "SELECT seq, transfer_id, from_account, to_account, amount, completed_at FROM outbox ORDER BY seq LIMIT @max FOR UPDATE SKIP LOCKED;", connection, tx))
        {
            select.Parameters.AddWithValue("max", max);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                seqs.Add(reader.GetInt64(0));
                events.Add(new TransferCompleted(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetFieldValue<DateTimeOffset>(5)));
            }
        }

        if (events.Count == 0)
        {
            return 0;
        }

        await publish(events, cancellationToken);
        await using (var delete = new NpgsqlCommand("DELETE FROM outbox WHERE seq = ANY(@seqs);", connection, tx))
        {
            delete.Parameters.AddWithValue("seqs", seqs.ToArray());
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return events.Count;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
