using System.Runtime.CompilerServices;

namespace Shoal.Registry.Stores;

/// <summary>Watching: the event log read to catch up, then each committed write's events handed over by the write.</summary>
public sealed partial class SqliteRegistryStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<RegistryEvent> WatchAsync(long afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = afterIndex;
        var checkedHistory = false;
        Written? following = null;
        while (true)
        {
            if (following is not null)
            {
                // Caught up: every later write hands its events over as it commits.
                var written = await following.Events.WaitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var e in written.Where(e => e.Index > after))
                {
                    after = e.Index;
                    yield return e;
                }

                // Only the next write is kept for watchers, so one that lags holds no growing list of them.
                var next = Volatile.Read(ref _next);
                following = next.Sequence == following.Sequence + 1 ? next : null;
                continue;
            }

            var batch = new List<RegistryEvent>();
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!checkedHistory)
                {
                    checkedHistory = true;
                    using var oldest = Command("SELECT MIN(idx) FROM events");
                    var min = await oldest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    var last = await LastIndexAsync(cancellationToken).ConfigureAwait(false);
                    if ((min is long first && after < first - 1) || (min is not long && after < last))
                    {
                        throw new RegistryHistoryLostException(after, min is long f ? f - 1 : last);
                    }
                }

                using var select = Command("SELECT idx, kind, body, expired FROM events WHERE idx > $after ORDER BY idx LIMIT $limit");
                select.Parameters.AddWithValue("$after", after);
                select.Parameters.AddWithValue("$limit", CatchUpBatch);
                using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var entry = new RegistryEntry(RegistrationCodec.Decode(reader.GetString(2)), reader.GetInt64(3) != 0);
                    batch.Add(new RegistryEvent(reader.GetInt64(0), (RegistryEventKind)reader.GetInt64(1), entry));
                }

                // Holding the gate, no write is between what was read and the next write to follow.
                following = batch.Count < CatchUpBatch ? _next : null;
            }
            finally
            {
                _gate.Release();
            }

            foreach (var e in batch)
            {
                after = e.Index;
                yield return e;
            }
        }
    }

    /// <summary>How many logged events a watcher reads at once while it catches up.</summary>
    private const int CatchUpBatch = 1000;

    /// <summary>A write that makes events as watchers see it: numbered in commit order, completed with its events when it commits.</summary>
    private sealed class Written(long sequence)
    {
        private readonly TaskCompletionSource<IReadOnlyList<RegistryEvent>> _events = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Sequence => sequence;

        public Task<IReadOnlyList<RegistryEvent>> Events => _events.Task;

        public void Complete(IReadOnlyList<RegistryEvent> events) => _events.SetResult(events);
    }
}
