using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// The event example through the real <c>./shoal</c>: the sample app publishes <c>transfer.completed</c> to a Redis stream
/// through its outbox, the ledger sample consumes it with a consumer group; every completed transfer reaches the ledger
/// once, across a ledger crash between recording and acknowledging, and across a Redis outage.
/// </summary>
[Collection(TimedCollection.Name)]
public sealed class EventsExampleTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Transfers_LedgerCrashesBeforeAck_EachTransferCountedOnce_AndTheStreamIsCutBehindIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        // The ledger's first run dies after recording its 5th transfer, before the XACK; the supervisor restarts it. The
        // app cuts the stream every 100 ms meanwhile: never the pending entry the restarted ledger must read again.
        await using var stack = await TestStack.StartAsync(Template(
            $"REDIS_URL: \"{redis.Url}\"\n      DATABASE_URL: \"{postgres.Url}\"\n      EVENTS_TRIM_INTERVAL_MS: \"100\"",
            $"REDIS_URL: \"{redis.Url}\"\n      LEDGER_CRASH_ONCE_AFTER: \"5\""));
        var firstLedger = stack.RecordedPids()["ledger-1"];

        var transfers = await TransferAsync(stack, 12);

        await Poll.UntilAsync(() => stack.RecordedPids().TryGetValue("ledger-1", out var pid) && pid != firstLedger, s_wait, "the ledger to crash and be restarted");
        var ledger = await LedgerSeesAsync(stack, transfers);
        Assert.True(ledger.GetProperty("redelivered").GetInt64() >= 1, $"the restarted ledger read no pending entry again: {ledger}");
        Assert.Equal(0, ledger.GetProperty("rejected").GetInt64());

        // Everything read and acknowledged: the stream keeps only the last entry the group was given.
        await Poll.UntilAsync(async () => await redis.CommandAsync("XLEN", "transfers") == ":1\r\n", s_wait, "the app to cut the stream behind the ledger");
    }

    [Fact]
    public async Task Transfers_LedgerReplicaDiesForGood_TheOtherClaimsItsPendingEntries()
    {
        await using var redis = await RedisServer.StartAsync();
        var env = $"REDIS_URL: \"{redis.Url}\"";
        // Whichever replica records its 5th transfer first dies before the XACK and stays dead: its entries stay pending
        // under its name until the other takes them over (XAUTOCLAIM after 500 ms idle).
        await using var stack = await TestStack.StartAsync(Template(
            env,
            env + "\n      LEDGER_CRASH_ONCE_AFTER: \"5\"\n      LEDGER_CLAIM_IDLE_MS: \"500\"",
            ledgerReplicas: 2,
            ledgerRestart: "never"));

        var transfers = await TransferAsync(stack, 12);

        await Poll.UntilAsync(async () => (await LedgerAsync(stack)).GetProperty("claimed").GetInt64() >= 1, s_wait, "the surviving ledger replica to claim the dead one's entries");
        await LedgerSeesAsync(stack, transfers);
    }

    [Fact]
    public async Task Transfers_WhileRedisIsDown_SucceedAndArriveOnceWhenItIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        var env = $"REDIS_URL: \"{redis.Url}\"";
        await using var stack = await TestStack.StartAsync(Template(env, env));
        var transfers = await TransferAsync(stack, 5);
        await LedgerSeesAsync(stack, transfers);

        await redis.StopAsync();
        var duringOutage = await TransferAsync(stack, 5);
        Assert.Equal(5, (await LedgerAsync(stack)).GetProperty("count").GetInt64());

        // The test server keeps no data: Redis returns empty, the ledger makes its group again, the outbox drains.
        await redis.StartAgainAsync();
        await LedgerSeesAsync(stack, [.. transfers, .. duringOutage]);
        foreach (var app in new[] { "app-1", "app-2" })
        {
            var log = await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "logs", $"{app}.log"));
            Assert.True(CountOf(log, "cannot publish to stream transfers") <= 1, $"{app} logged the outage more than once:\n{log}");
        }
    }

    [Fact]
    public async Task Ledger_HostileEntriesAndQueries_RejectedWithoutCounting()
    {
        await using var redis = await RedisServer.StartAsync();
        var env = $"REDIS_URL: \"{redis.Url}\"";
        await using var stack = await TestStack.StartAsync(Template(env, env));
        var transfers = await TransferAsync(stack, 2);
        await LedgerSeesAsync(stack, transfers);

        // Anyone who can reach Redis can write to the stream: wrong type, negative or huge amount, oversized id, a replayed id.
        var replayed = transfers[0].Id;
        string[][] entries =
        [
            ["type", "transfer.failed", "transferId", "x1", "from", "a", "to", "b", "amount", "1"],
            ["type", "transfer.completed", "transferId", "x2", "from", "a", "to", "b", "amount", "-5"],
            ["type", "transfer.completed", "transferId", "x3", "from", "a", "to", "b", "amount", "99999999999999999999999"],
            ["type", "transfer.completed", "transferId", new string('x', 10_000), "from", "a", "to", "b", "amount", "1"],
            ["type", "transfer.completed", "transferId", replayed, "from", "alice", "to", "bob", "amount", "1"],
        ];
        foreach (var fields in entries)
        {
            Assert.StartsWith("$", await redis.CommandAsync(["XADD", "transfers", "*", .. fields]), StringComparison.Ordinal);
        }

        await Poll.UntilAsync(async () => (await LedgerAsync(stack)).GetProperty("rejected").GetInt64() == 4, s_wait, "the ledger to reject the four malformed entries");
        await Poll.UntilAsync(async () => (await LedgerAsync(stack)).GetProperty("redelivered").GetInt64() == 1, s_wait, "the ledger to drop the replayed id");
        await LedgerSeesAsync(stack, transfers);

        using var bad = await stack.Client.GetAsync("/api/ledger?last=99999999999");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The sample app (two replicas) and the ledger, each with its own environment lines.</summary>
    private static string Template(string appEnv, string ledgerEnv, int ledgerReplicas = 1, string ledgerRestart = "always") => $$"""
        name: e2e
        gateway:
          listen: %gateway%
          admin: %admin%
        services:
          app:
            command: [dotnet, "%sample%"]
            replicas: 2
            port: auto
            health: { http: /api/health, interval: 500ms }
            env:
              {{appEnv}}
            routes: ["/api/**"]
          ledger:
            command: [dotnet, "{{RepoPaths.SampleLedger}}"]
            replicas: {{ledgerReplicas}}
            port: auto
            health: { http: /api/health, interval: 500ms }
            restart: {{ledgerRestart}}
            env:
              {{ledgerEnv}}
            routes: ["/api/ledger"]
        """;

    [Fact]
    public async Task BankEventsExample_AsShipped_TransfersReachTheLedgerOnce_AndBothDatabasesSurviveDownUp()
    {
        // examples/bank-events/shoal.yml itself (PostgreSQL and Redis from the stack's templates), on free ports.
        await using var stack = await TestStack.StartAsync(
            Stacks.Example("bank-events", ("port: 6380", $"port: {FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)}")));

        var transfers = await TransferAsync(stack, 12);
        await LedgerSeesAsync(stack, transfers);

        var down = await stack.ShoalAsync("down");
        Assert.True(down.ExitCode == 0, down.ToString());
        var up = await stack.ShoalAsync("up", "-d");
        Assert.True(up.ExitCode == 0, up.ToString());

        // The app's balances and the ledger's record live in their own databases under .shoal/volumes/db.
        var more = await TransferAsync(stack, 3);
        await LedgerSeesAsync(stack, [.. transfers, .. more]);
    }

    /// <summary>N transfers at once through the gateway (alice to bob, 1 to N), each answered 200 with its id.</summary>
    private static async Task<(string Id, long Amount)[]> TransferAsync(TestStack stack, int count) =>
        await Task.WhenAll(Enumerable.Range(1, count).Select(async amount =>
        {
            using var response = await stack.Client.PostAsJsonAsync("/api/transfer", new { from = "alice", to = "bob", amount });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"transfer of {amount}: {(int)response.StatusCode} {body}");
            return (JsonDocument.Parse(body).RootElement.GetProperty("transferId").GetString()!, (long)amount);
        }));

    private static async Task<JsonElement> LedgerAsync(TestStack stack) =>
        await stack.Client.GetFromJsonAsync<JsonElement>("/api/ledger?last=1000");

    /// <summary>Waits until the ledger's count reaches the transfers', then checks it holds exactly them: same ids, same sum.</summary>
    private static async Task<JsonElement> LedgerSeesAsync(TestStack stack, (string Id, long Amount)[] transfers)
    {
        var ledger = default(JsonElement);
        await Poll.UntilAsync(async () =>
        {
            ledger = await LedgerAsync(stack);
            return ledger.GetProperty("count").GetInt64() >= transfers.Length;
        }, s_wait, $"the ledger to see {transfers.Length} transfers");

        Assert.Equal(transfers.Length, ledger.GetProperty("count").GetInt64());
        Assert.Equal(transfers.Sum(t => t.Amount), ledger.GetProperty("sum").GetInt64());
        Assert.Equal(transfers.Select(t => t.Id).Order(), ledger.GetProperty("lastIds").EnumerateArray().Select(i => i.GetString()!).Order());
        return ledger;
    }

    private static int CountOf(string text, string part) =>
        (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
