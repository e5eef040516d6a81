using Microsoft.Data.Sqlite;
using Shoal.Files;

namespace Shoal.Registry.Stores;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Registrations and an event log change in one transaction, so the
/// log is exactly the history of the table; a restarted gateway finds both, and applies TTLs that ran out meanwhile.
/// </summary>
/// <remarks>
/// One connection, one writer at a time: the registry is written by one gateway process. <c>synchronous=NORMAL</c>
/// keeps every committed change across a crash of the process (not across a power cut of the machine); checkpoints run
/// in the background, off the write path (see <see cref="CheckpointEvery"/>). A watcher reads
/// the event log to catch up, then takes each committed write's events from the write itself, without a query, as long
/// as it keeps up (a watcher that fell behind by more than one write reads the log again).
/// </remarks>
public sealed partial class SqliteRegistryStore(string path, TimeProvider timeProvider, int keepEvents = 100_000) : IRegistryStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _db;
    private Written _next = new(1);
    private List<RegistryEvent>? _recording;

    /// <inheritdoc />
    public string Description => $"sqlite:{path}";

    /// <inheritdoc />
    /// <remarks>One writer process: the file belongs to one stack.</remarks>
    public bool Shared => false;

    /// <inheritdoc />
    public bool ExpiresTtls => false;

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The database file is corrupt, not a database, or truncated.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(path);
        SqliteFileCheck.ThrowIfDamaged(file);

        // SQLite creates the database with the umask's mode and gives -wal and -shm the database's mode: the file
        // exists 0600 before SQLite opens it, so all three are private (a deployment's environment is in the WAL).
        PrivateFiles.Touch(file);
        foreach (var companion in new[] { file + "-wal", file + "-shm", file + "-journal" })
        {
            PrivateFiles.TightenTree(companion);
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        _db = new SqliteConnection(connectionString);
        try
        {
            await _db.OpenAsync(cancellationToken).ConfigureAwait(false);
            await OpenSchemaAsync(cancellationToken).ConfigureAwait(false);
            await StartCheckpointsAsync(connectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteFileCheck.NotADatabase or SqliteFileCheck.Corrupt)
        {
            await _db.DisposeAsync().ConfigureAwait(false);
            _db = null;
            throw new InvalidDataException($"{file} is damaged ({ex.Message}); Shoal does not start on it with an empty registry. Restore it, or move it (and its -wal, -shm) away to start with an empty one.", ex);
        }
    }

    private async Task OpenSchemaAsync(CancellationToken cancellationToken)
    {
        await SqliteFileCheck.QuickCheckAsync(_db!, Path.GetFullPath(path), cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS instances(
                service TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
                ttl_ms INTEGER, deregister_after_ms INTEGER, heartbeat_ms INTEGER NOT NULL, expired INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (service, id));
            CREATE TABLE IF NOT EXISTS events(idx INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL, body TEXT NOT NULL, expired INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS documents(key TEXT PRIMARY KEY, body TEXT NOT NULL);
            """, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<RegistryView> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entries = new List<RegistryEntry>();
            using (var select = Command("SELECT body, expired FROM instances"))
            using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    entries.Add(new RegistryEntry(RegistrationCodec.Decode(reader.GetString(0)), reader.GetInt64(1) != 0));
                }
            }

            return new RegistryView(await LastIndexAsync(cancellationToken).ConfigureAwait(false), entries);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<long> PutAsync(Registration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return WriteAsync(async tx =>
        {
            var instance = registration.Instance;
            var before = await FindAsync(instance.Service, instance.Id, tx, cancellationToken).ConfigureAwait(false);
            if (before is not null && instance.RegisteredAt == default)
            {
                registration = registration with { Instance = instance with { RegisteredAt = before.Registration.Instance.RegisteredAt } };
            }

            var after = new RegistryEntry(registration, Expired: false);
            using var upsert = Command("""
                INSERT INTO instances(service, id, body, ttl_ms, deregister_after_ms, heartbeat_ms, expired) VALUES ($s, $i, $b, $t, $d, $h, 0)
                ON CONFLICT(service, id) DO UPDATE SET body = $b, ttl_ms = $t, deregister_after_ms = $d, heartbeat_ms = $h, expired = 0
                """, tx);
            upsert.Parameters.AddWithValue("$s", instance.Service);
            upsert.Parameters.AddWithValue("$i", instance.Id);
            upsert.Parameters.AddWithValue("$b", RegistrationCodec.Encode(registration));
            upsert.Parameters.AddWithValue("$t", (object?)(long?)registration.Ttl?.TotalMilliseconds ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$d", (object?)(long?)registration.DeregisterAfter?.TotalMilliseconds ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$h", Now);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await RecordAsync(before, after, tx, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> DeleteAsync(string service, string id, CancellationToken cancellationToken) =>
        ChangeExistingAsync(service, id, async (before, tx) =>
        {
            await DeleteRowAsync(service, id, tx, cancellationToken).ConfigureAwait(false);
            return await RecordAsync(before, null, tx, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task<long?> HeartbeatAsync(string service, string id, CancellationToken cancellationToken) =>
        ChangeExistingAsync(service, id, async (before, tx) =>
        {
            using var renew = Command("UPDATE instances SET heartbeat_ms = $h, expired = 0 WHERE service = $s AND id = $i", tx);
            renew.Parameters.AddWithValue("$h", Now);
            renew.Parameters.AddWithValue("$s", service);
            renew.Parameters.AddWithValue("$i", id);
            await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return await RecordAsync(before, before with { Expired = false }, tx, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public Task PutDocumentAsync(string key, string json, CancellationToken cancellationToken) =>
        WriteAsync(async tx =>
        {
            using var upsert = Command("INSERT INTO documents(key, body) VALUES ($k, $b) ON CONFLICT(key) DO UPDATE SET body = $b", tx);
            upsert.Parameters.AddWithValue("$k", key);
            upsert.Parameters.AddWithValue("$b", json);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> ReadDocumentsAsync(string prefix, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var documents = new Dictionary<string, string>(StringComparer.Ordinal);
            using var select = Command("SELECT key, body FROM documents WHERE substr(key, 1, length($p)) = $p");
            select.Parameters.AddWithValue("$p", prefix);
            using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                documents[reader.GetString(0)] = reader.GetString(1);
            }

            return documents;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopCheckpointsAsync().ConfigureAwait(false);
        if (_db is not null)
        {
            await _db.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private long Now => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<long> WriteAsync(Func<SqliteTransaction, Task<long>> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        long index;
        try
        {
            _recording = [];
            var changes = SQLitePCL.raw.sqlite3_total_changes(_db!.Handle);
            using var tx = _db!.BeginTransaction();
            var recorded = await change(tx).ConfigureAwait(false);
            tx.Commit();
            index = recorded;
            if (SQLitePCL.raw.sqlite3_total_changes(_db.Handle) != changes)
            {
                CountWrite(visible: _recording.Count > 0);
            }

            if (_recording.Count > 0)
            {
                var written = _next;
                Volatile.Write(ref _next, new Written(written.Sequence + 1));
                written.Complete(_recording);
            }
        }
        finally
        {
            _recording = null;
            _gate.Release();
        }

        return index;
    }

    /// <summary>Runs <paramref name="change"/> on an instance that is registered; null when it is not.</summary>
    private async Task<long?> ChangeExistingAsync(string service, string id, Func<RegistryEntry, SqliteTransaction, Task<long>> change, CancellationToken cancellationToken)
    {
        var found = true;
        var index = await WriteAsync(async tx =>
        {
            var before = await FindAsync(service, id, tx, cancellationToken).ConfigureAwait(false);
            found = before is not null;
            return before is null ? 0 : await change(before, tx).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return found ? index : null;
    }

    /// <summary>Appends the event that <paramref name="before"/> → <paramref name="after"/> is, if clients would see one; returns its index or 0.</summary>
    private async Task<long> RecordAsync(RegistryEntry? before, RegistryEntry? after, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        if (RegistryEvent.Classify(before, after) is not { } kind)
        {
            return 0;
        }

        var entry = after ?? before!;
        var body = RegistrationCodec.Encode(entry.Registration);
        using var insert = Command("INSERT INTO events(kind, body, expired) VALUES ($k, $b, $e) RETURNING idx", tx);
        insert.Parameters.AddWithValue("$k", (int)kind);
        insert.Parameters.AddWithValue("$b", body);
        insert.Parameters.AddWithValue("$e", entry.Expired ? 1 : 0);
        var index = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

        // Watchers get the event as the log holds it (decoded from the same text), once the write commits.
        _recording!.Add(new RegistryEvent(index, kind, new RegistryEntry(RegistrationCodec.Decode(body), entry.Expired)));
        if (index % 1000 == 0)
        {
            using var prune = Command("DELETE FROM events WHERE idx <= $keep", tx);
            prune.Parameters.AddWithValue("$keep", index - keepEvents);
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return index;
    }

    private async Task<RegistryEntry?> FindAsync(string service, string id, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        using var select = Command("SELECT body, expired FROM instances WHERE service = $s AND id = $i", tx);
        select.Parameters.AddWithValue("$s", service);
        select.Parameters.AddWithValue("$i", id);
        using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new RegistryEntry(RegistrationCodec.Decode(reader.GetString(0)), reader.GetInt64(1) != 0)
            : null;
    }

    private async Task DeleteRowAsync(string service, string id, SqliteTransaction tx, CancellationToken cancellationToken)
    {
        using var delete = Command("DELETE FROM instances WHERE service = $s AND id = $i", tx);
        delete.Parameters.AddWithValue("$s", service);
        delete.Parameters.AddWithValue("$i", id);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> LastIndexAsync(CancellationToken cancellationToken)
    {
        using var select = Command("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
        return (long)(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using var command = Command(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var command = _db!.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }
}
