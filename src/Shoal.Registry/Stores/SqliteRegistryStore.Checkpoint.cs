using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shoal.Registry.Stores;

/// <summary>
/// Checkpoints off the write path. SQLite's own runs inside the commit that grows the log past 1,000 pages and syncs
/// the log and the database file there (7–30 ms on a shared disk, measured: a registration in ~250 paid it), so the
/// writer turns it off and a background task checkpoints from a connection of its own, PASSIVE (it never blocks a
/// writer), after <see cref="CheckpointEvery"/> writes or once no write came for <see cref="CheckpointIdle"/> after one
/// that clients see. A write they do not see (a heartbeat renewing a TTL) counts toward <see cref="CheckpointEvery"/> but
/// starts no idle checkpoint: an idle stack whose replicas heartbeat every few seconds would sync the disk as often.
/// </summary>
/// <remarks>
/// Durability does not change: a commit is in the log before the write is answered, whether or not a checkpoint has
/// copied it into the database file yet, and opening the file replays the log.
/// </remarks>
public sealed partial class SqliteRegistryStore
{
    private readonly CancellationTokenSource _closing = new();
    private readonly SemaphoreSlim _checkpointDue = new(0, 1);
    private SqliteConnection? _checkpointDb;
    private Task _checkpointer = Task.CompletedTask;
    private long _writes;
    private long _checkpointedWrites;
    private long _lastWrite;
    private long _checkpoints;
    private long _checkpointWakes;
    private int _visibleSinceCheckpoint;
    private int _failedCheckpoints;
    private int _stopped;

    /// <summary>How many writes the background checkpoint lets accumulate in the log.</summary>
    /// <value>250 (about SQLite's own 1,000 pages, at four pages a registration); at least 1.</value>
    public int CheckpointEvery { get; init; } = 250;

    /// <summary>How long the store has to be without writes before the background checkpoint folds in fewer.</summary>
    /// <value>1 second.</value>
    public TimeSpan CheckpointIdle { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where a checkpoint that keeps failing is told (the log grows meanwhile; nothing is lost).</summary>
    /// <value>No logging.</value>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>How many background checkpoints have run; internal for tests.</summary>
    internal long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>How many times a write has woken the checkpointer; internal for tests.</summary>
    internal long CheckpointWakes => Interlocked.Read(ref _checkpointWakes);

    /// <summary>Checkpoints failed since the last that succeeded; internal for tests.</summary>
    internal int FailedCheckpoints => Volatile.Read(ref _failedCheckpoints);

    /// <summary>The checkpoint's statement; internal for tests, which make it fail.</summary>
    internal string CheckpointSql { get; set; } = "PRAGMA wal_checkpoint(PASSIVE);";

    private async Task StartCheckpointsAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(CheckpointEvery, 1);
        await ExecuteAsync("PRAGMA wal_autocheckpoint=0;", cancellationToken).ConfigureAwait(false);
        _checkpointDb = new SqliteConnection(connectionString);
        await _checkpointDb.OpenAsync(cancellationToken).ConfigureAwait(false);
        _checkpointer = CheckpointLoopAsync(_closing.Token);
    }

    /// <summary>
    /// Counts a committed write, and wakes the checkpointer at the first one clients see (<paramref name="visible"/>: it
    /// made an event) since a checkpoint, and from the <see cref="CheckpointEvery"/>-th write on.
    /// </summary>
    private void CountWrite(bool visible)
    {
        Volatile.Write(ref _lastWrite, timeProvider.GetTimestamp());
        var pending = Interlocked.Increment(ref _writes) - Interlocked.Read(ref _checkpointedWrites);
        var firstVisible = visible && Interlocked.Exchange(ref _visibleSinceCheckpoint, 1) == 0;
        if ((firstVisible || pending >= CheckpointEvery) && _checkpointDue.CurrentCount == 0)
        {
            Interlocked.Increment(ref _checkpointWakes);
            try
            {
                _checkpointDue.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken already.
            }
        }
    }

    private async Task CheckpointLoopAsync(CancellationToken token)
    {
        await Task.Yield();
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _checkpointDue.WaitAsync(token).ConfigureAwait(false);
                while (Interlocked.Read(ref _writes) is var writes && writes > Interlocked.Read(ref _checkpointedWrites))
                {
                    var quiet = timeProvider.GetElapsedTime(Volatile.Read(ref _lastWrite));
                    if (writes - Interlocked.Read(ref _checkpointedWrites) < CheckpointEvery && quiet < CheckpointIdle)
                    {
                        // Until the store is quiet, or until enough writes wake it again.
                        using var either = CancellationTokenSource.CreateLinkedTokenSource(token);
                        var idle = Task.Delay(CheckpointIdle - quiet, timeProvider, either.Token);
                        await Task.WhenAny(idle, _checkpointDue.WaitAsync(either.Token)).ConfigureAwait(false);
                        await either.CancelAsync().ConfigureAwait(false);
                        token.ThrowIfCancellationRequested();
                        continue;
                    }

                    using (var checkpoint = _checkpointDb!.CreateCommand())
                    {
                        checkpoint.CommandText = CheckpointSql;
                        await checkpoint.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }

                    if (_failedCheckpoints > 0)
                    {
                        Log.CheckpointRecovered(Logger, path, _failedCheckpoints);
                        Volatile.Write(ref _failedCheckpoints, 0);
                    }

                    Interlocked.Exchange(ref _checkpointedWrites, writes);
                    Interlocked.Exchange(ref _visibleSinceCheckpoint, 0);
                    Interlocked.Increment(ref _checkpoints);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SqliteException ex)
            {
                // The next write retries; a checkpoint that could not run leaves the log longer, nothing lost. The first
                // failure of a run is told, the rest counted until one succeeds.
                if (Interlocked.Increment(ref _failedCheckpoints) == 1)
                {
                    Log.CheckpointFailed(Logger, path, ex.Message);
                }
            }
        }
    }

    private async Task StopCheckpointsAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await _checkpointer.ConfigureAwait(false);
        if (_checkpointDb is not null)
        {
            await _checkpointDb.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
        _checkpointDue.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(4004, LogLevel.Warning, "Checkpointing the registry {Path} failed: {Reason}; its write-ahead log grows until a checkpoint succeeds (nothing is lost)")]
        public static partial void CheckpointFailed(ILogger logger, string path, string reason);

        [LoggerMessage(4005, LogLevel.Information, "Checkpointing the registry {Path} works again after {Failures} failed attempts")]
        public static partial void CheckpointRecovered(ILogger logger, string path, int failures);
    }
}
