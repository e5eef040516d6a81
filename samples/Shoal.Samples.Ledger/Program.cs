using Shoal.Samples.Ledger;
using Shoal.Samples.Shared;

// The ledger: consumes the sample app's transfer.completed events from a Redis stream and answers what it saw.
var builder = SampleHost.CreateBuilder(args);

var instanceId = builder.Configuration["SHOAL_INSTANCE_ID"] is { Length: > 0 } id ? id : $"{Environment.MachineName}-{Environment.ProcessId}";
var settings = ConsumerSettings.FromConfiguration(builder.Configuration, instanceId);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(LedgerStore.Create(builder.Configuration));
builder.Services.AddSingleton<ConsumerStats>();
builder.Services.AddProblemDetails();
if (settings is not null)
{
    builder.Services.AddSingleton(settings);
    builder.Services.AddHostedService<StreamConsumer>();
}

var app = builder.Build();

app.MapGet("/api/health", (ConsumerStats stats) => Results.Json(new
{
    status = "healthy",
    redis = settings is null ? "not configured" : stats.Connected ? "connected" : "disconnected",
}));

// What the ledger saw: the totals over every replica (one store), this replica's consumer counters, the newest ids.
app.MapGet("/api/ledger", async (string? last, LedgerStore store, ConsumerStats stats, CancellationToken ct) =>
{
    var newest = 10;
    if (last is not null && (!int.TryParse(last, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out newest) || newest > 1000))
    {
        return Results.Problem(statusCode: 400, title: "Invalid 'last'", detail: "'last' must be a whole number from 0 to 1000.");
    }

    var (count, sum, lastIds) = await store.SummaryAsync(newest, ct);
    return Results.Json(new
    {
        count,
        sum,
        lastIds,
        consumer = instanceId,
        redelivered = stats.Redelivered,
        rejected = stats.Rejected,
        claimed = stats.Claimed,
    });
});

await app.Services.GetRequiredService<LedgerStore>().InitializeAsync(CancellationToken.None);
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"{instanceId} (ledger, pid {Environment.ProcessId}) listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
