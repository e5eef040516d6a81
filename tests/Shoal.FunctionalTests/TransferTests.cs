using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Concurrent transfers through the gateway never create or lose money, on SQLite and on PostgreSQL.</summary>
public sealed class TransferTests
{
    [Fact]
    public async Task ConcurrentTransfers_Sqlite_TotalStaysConstant()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2));
        await AssertTransfersKeepTotalAsync(stack);
    }

    [Fact]
    public async Task ConcurrentTransfers_Postgres_TotalStaysConstant()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 2, new Dictionary<string, string> { ["DATABASE_URL"] = postgres.Url }));
        await AssertTransfersKeepTotalAsync(stack);
    }

    [Fact]
    public async Task Transfer_Overdraft_Is409WithAClearMessage()
    {
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 1));

        using var response = await stack.Client.PostAsJsonAsync("/api/transfer", new { from = "carol", to = "alice", amount = 1_000_000 });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'carol' has 1000; the transfer needs 1000000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    internal static async Task AssertTransfersKeepTotalAsync(TestStack stack)
    {
        var before = await stack.Client.GetFromJsonAsync<JsonElement>("/api/accounts");
        var total = before.GetProperty("total").GetInt64();

        // 50 at once, both directions, some of them overdrafts.
        var transfers = Enumerable.Range(0, 50).Select(async i =>
        {
            var (from, to) = i % 2 == 0 ? ("alice", "bob") : ("bob", "alice");
            using var response = await stack.Client.PostAsJsonAsync("/api/transfer", new { from, to, amount = 1 + (i * 37 % 400) });
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(transfers);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"unexpected {s}"));
        Assert.Contains(HttpStatusCode.OK, statuses);
        var after = await stack.Client.GetFromJsonAsync<JsonElement>("/api/accounts");
        Assert.Equal(total, after.GetProperty("total").GetInt64());
        Assert.All(after.GetProperty("accounts").EnumerateArray(), a => Assert.True(a.GetProperty("balance").GetInt64() >= 0));
    }
}
