using System.Data.Common;
using System.Diagnostics;
using StackExchange.Redis;

namespace Shoal.Samples.Ledger;

/// <summary>
/// Reads the transfer stream as one consumer of a group (<c>XREADGROUP</c>) and acknowledges each entry (<c>XACK</c>)
/// only after its transfer is recorded. Delivery is at least once; the store's transfer-id key turns it into exactly once:
/// after a crash the consumer first reads its own pending entries again (id 0), and entries another consumer left
/// unacknowledged too long are claimed (<c>XAUTOCLAIM</c>).
/// </summary>
internal sealed class StreamConsumer(LedgerStore store, ConsumerSettings settings, ConsumerStats stats, TimeProvider time, IConfiguration configuration, ILogger<StreamConsumer> logger)
    : BackgroundService
{
    private const int BatchSize = 100;

    // The multiplexed connection cannot block on XREADGROUP: an empty read waits this long before the next.
    private static readonly TimeSpan s_idleInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_retryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_claimInterval = TimeSpan.FromSeconds(10);

    private int _recorded;

    private TimeSpan ClaimInterval => settings.ClaimIdle < s_claimInterval ? settings.ClaimIdle : s_claimInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(settings.Redis);
        var database = connection.GetDatabase();
        var groupReady = false;
        var ownPending = true;
        var failing = false;
        var nextClaim = time.GetUtcNow() + ClaimInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = s_idleInterval;
            try
            {
                if (!groupReady)
                {
                    await CreateGroupAsync(database);
                    groupReady = true;
                    ownPending = true;
                }

                // "0" reads what was delivered to this consumer name and never acknowledged (a crash before XACK); ">" new entries.
                var entries = await database.StreamReadGroupAsync(settings.Stream, settings.Group, settings.Consumer, ownPending ? "0" : ">", BatchSize);
                if (ownPending && entries.Length == 0)
                {
                    ownPending = false;
                    wait = TimeSpan.Zero;
                }
                else if (!ownPending && time.GetUtcNow() >= nextClaim)
                {
                    nextClaim = time.GetUtcNow() + ClaimInterval;
                    var claimed = await database.StreamAutoClaimAsync(settings.Stream, settings.Group, settings.Consumer, (long)settings.ClaimIdle.TotalMilliseconds, "0-0", BatchSize);
                    stats.CountClaimed(claimed.ClaimedEntries.Length);
                    entries = [.. entries, .. claimed.ClaimedEntries];
                }

                await HandleAsync(database, entries, stoppingToken);
                if (entries.Length > 0)
                {
                    wait = TimeSpan.Zero;
                }

                if (failing)
                {
                    failing = false;
                    Log.ReadRecovered(logger, settings.Stream);
                }

                stats.SetConnected(true);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis came back without its data (no persistence): the group, and maybe the stream, is new.
                groupReady = false;
                wait = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or DbException)
            {
                stats.SetConnected(ex is DbException);
                if (!failing)
                {
                    failing = true;
                    // StackExchange.Redis appends its whole connection state after the first ';'.
                    Log.ReadFailing(logger, settings.Stream, ex.Message.Split(';', 2)[0]);
                }

                wait = s_retryInterval;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, stoppingToken);
            }
        }
    }

    private async Task CreateGroupAsync(IDatabase database)
    {
        try
        {
            // From the start of the stream: events published before the ledger first ran are not missed.
            await database.StreamCreateConsumerGroupAsync(settings.Stream, settings.Group, "0", createStream: true);
            Log.GroupCreated(logger, settings.Group, settings.Stream);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    private async Task HandleAsync(IDatabase database, StreamEntry[] entries, CancellationToken cancellationToken)
    {
        if (entries.Length == 0)
        {
            return;
        }

        foreach (var entry in entries)
        {
            var transfer = TransferEvent.Parse(entry, out var error);
            if (transfer is null)
            {
                stats.CountRejected();
                Log.Rejected(logger, entry.Id.ToString(), settings.Stream, error!);
                continue;
            }

            if (!await store.RecordAsync(transfer, entry.Id.ToString(), cancellationToken))
            {
                stats.CountRedelivered();
                continue;
            }

            if (++_recorded == settings.CrashOnceAfter && FirstCrash())
            {
                Log.CrashingOnPurpose(logger, _recorded, entry.Id.ToString());
                Process.GetCurrentProcess().Kill();
            }
        }

        // One XACK for the batch: a crash before it only means the batch is read again, and the store drops the copies.
        await database.StreamAcknowledgeAsync(settings.Stream, settings.Group, [.. entries.Select(e => e.Id)]);
    }

    // The marker lives in the data directory, so the restarted replica (same environment) does not crash again; creating
    // it is atomic, so of two replicas that get there together only one crashes.
    private bool FirstCrash()
    {
        try
        {
            using var marker = new FileStream(Path.Combine(configuration["SHOAL_DATA_DIR"] ?? ".", "ledger.crashed"), FileMode.CreateNew, FileAccess.Write);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
