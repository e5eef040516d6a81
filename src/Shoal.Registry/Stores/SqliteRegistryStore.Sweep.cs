using Microsoft.Data.Sqlite;

namespace Shoal.Registry.Stores;

/// <summary>Applying TTLs that ran out, and saying when the next one will.</summary>
public sealed partial class SqliteRegistryStore
{
    /// <inheritdoc />
    public async Task<TimeSpan?> SweepAsync(CancellationToken cancellationToken)
    {
        long? next = null;
        var now = Now;
        await WriteAsync(async tx =>
        {
            var due = new List<(RegistryEntry Entry, bool Remove)>();
            using (var select = Command("""
                SELECT body, expired, heartbeat_ms + ttl_ms + deregister_after_ms <= $now FROM instances
                WHERE ttl_ms IS NOT NULL AND heartbeat_ms + ttl_ms <= $now
                """, tx))
            {
                select.Parameters.AddWithValue("$now", now);
                using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var remove = !reader.IsDBNull(2) && reader.GetInt64(2) != 0;
                    due.Add((new RegistryEntry(RegistrationCodec.Decode(reader.GetString(0)), reader.GetInt64(1) != 0), remove));
                }
            }

            var index = 0L;
            foreach (var (entry, remove) in due)
            {
                var instance = entry.Registration.Instance;
                if (!entry.Expired)
                {
                    using var expire = Command("UPDATE instances SET expired = 1 WHERE service = $s AND id = $i", tx);
                    expire.Parameters.AddWithValue("$s", instance.Service);
                    expire.Parameters.AddWithValue("$i", instance.Id);
                    await expire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    index = await RecordAsync(entry, entry with { Expired = true }, tx, cancellationToken).ConfigureAwait(false);
                }

                if (remove)
                {
                    await DeleteRowAsync(instance.Service, instance.Id, tx, cancellationToken).ConfigureAwait(false);
                    index = await RecordAsync(entry with { Expired = true }, null, tx, cancellationToken).ConfigureAwait(false);
                }
            }

            next = await NextExpiryAsync(tx, cancellationToken).ConfigureAwait(false);
            return index;
        }, cancellationToken).ConfigureAwait(false);
        return next is { } at ? TimeSpan.FromMilliseconds(Math.Max(0, at - now)) : null;
    }

    /// <summary>When (Unix ms) the next TTL or deregister-after runs out, or null when none will.</summary>
    private async Task<long?> NextExpiryAsync(SqliteTransaction tx, CancellationToken cancellationToken)
    {
        using var select = Command("""
            SELECT MIN(CASE WHEN expired = 0 THEN heartbeat_ms + ttl_ms ELSE heartbeat_ms + ttl_ms + deregister_after_ms END)
            FROM instances WHERE ttl_ms IS NOT NULL
            """, tx);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long at ? at : null;
    }
}
