using System.Diagnostics;
using Shoal.Samples.App;
using Shoal.Samples.App.Bank;
using Shoal.Samples.App.Diagnostics;
using Shoal.Samples.App.Events;
using Shoal.Samples.Shared;

var builder = SampleHost.CreateBuilder(args);

var identity = InstanceIdentity.FromEnvironment();
builder.Services.AddSingleton(identity);
builder.Services.AddSingleton<RequestMetrics>();
builder.Services.AddSingleton<SessionCounter>();
builder.Services.AddSingleton(TimeProvider.System);

// With a Redis (REDIS_URL), each committed transfer's event goes through the outbox to the stream.
var events = EventSettings.FromConfiguration(builder.Configuration);
builder.Services.AddSingleton(sp => AccountStoreFactory.Create(builder.Configuration, sp.GetRequiredService<TimeProvider>(), recordEvents: events is not null));
if (events is not null)
{
    builder.Services.AddSingleton(events);
    builder.Services.AddSingleton(sp => (IOutbox)sp.GetRequiredService<IAccountStore>());
    builder.Services.AddSingleton<OutboxPublisher>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
}

builder.Services.AddProblemDetails();
if (Environment.GetEnvironmentVariable("SHOAL_REGISTRY_URL") is { Length: > 0 })
{
    builder.Services.AddHostedService<SelfRegistration>();
}

var app = builder.Build();
var publisher = app.Services.GetService<OutboxPublisher>();
app.UseMiddleware<RequestMetricsMiddleware>();

app.MapGet("/api/health", (InstanceIdentity id) => Results.Json(new
{
    status = "healthy",
    timestamp = DateTimeOffset.UtcNow,
    uptime = (DateTimeOffset.UtcNow - id.StartedAt).TotalSeconds,
}));

// The answer never changes for a replica: serialize it once. Load tests hit this endpoint hardest.
var whoami = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
{
    ["container"] = identity.InstanceId,
    ["pid"] = Environment.ProcessId,
    ["version"] = identity.Version,
    ["service"] = identity.Service,
});
// Fault injection for deployment experiments: FAIL_EVERY=N answers every Nth whoami with a 500, LATENCY_MS delays each.
var failEvery = int.TryParse(Environment.GetEnvironmentVariable("FAIL_EVERY"), out var fe) && fe > 0 ? fe : 0;
var latencyMs = int.TryParse(Environment.GetEnvironmentVariable("LATENCY_MS"), out var lm) && lm > 0 ? lm : 0;
long whoamiCount = 0;
app.MapGet("/api/whoami", async (HttpContext context) =>
{
    if (latencyMs > 0)
    {
        await Task.Delay(latencyMs, context.RequestAborted);
    }

    if (failEvery > 0 && Interlocked.Increment(ref whoamiCount) % failEvery == 0)
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return;
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = whoami.Length;
    await context.Response.Body.WriteAsync(whoami);
});

app.MapPost("/api/session", async (HttpRequest request, InstanceIdentity id, SessionCounter sessions) =>
{
    var sessionId = request.Headers["X-Session-Id"].ToString();
    if (string.IsNullOrEmpty(sessionId))
    {
        return Results.Problem(statusCode: 400, title: "Missing X-Session-Id header",
            detail: "POST /api/session needs an X-Session-Id header naming the session.");
    }

    SessionRequest? body;
    try
    {
        body = await request.ReadFromJsonAsync<SessionRequest>();
    }
    catch (System.Text.Json.JsonException ex)
    {
        return Results.Problem(statusCode: 400, title: "Malformed JSON body", detail: ex.Message);
    }

    var seen = sessions.Increment(sessionId);
    return Results.Json(new
    {
        container = id.InstanceId,
        sessionId,
        requestNum = body?.RequestNum,
        clientId = body?.ClientId,
        seen,
    });
});

app.MapGet("/api/metrics", (RequestMetrics metrics) => Results.Json(metrics.Snapshot()));

app.MapGet("/api/accounts", async (IAccountStore store, CancellationToken ct) =>
{
    var accounts = await store.ListAsync(ct);
    return Results.Json(new { accounts, total = accounts.Sum(a => a.Balance) });
});

app.MapPost("/api/transfer", async (HttpRequest request, IAccountStore store, CancellationToken ct) =>
{
    TransferRequest? transfer;
    try
    {
        transfer = await request.ReadFromJsonAsync<TransferRequest>(ct);
    }
    catch (System.Text.Json.JsonException ex)
    {
        return Results.Problem(statusCode: 400, title: "Malformed JSON body", detail: ex.Message);
    }

    if (transfer?.Validate() is { } problem)
    {
        return Results.Problem(statusCode: 400, title: "Invalid transfer", detail: problem);
    }

    var result = await store.TransferAsync(transfer!.From!, transfer.To!, transfer.Amount, ct);
    if (result.Outcome == TransferOutcome.Done)
    {
        publisher?.Wake();
    }

    return result.Outcome switch
    {
        TransferOutcome.Done => Results.Json(new
        {
            transferId = result.TransferId,
            from = transfer.From,
            to = transfer.To,
            amount = transfer.Amount,
            fromBalance = result.FromBalance,
            toBalance = result.ToBalance,
        }),
        TransferOutcome.UnknownAccount => Results.Problem(statusCode: 404, title: "Unknown account", detail: result.Message),
        _ => Results.Problem(statusCode: 409, title: "Insufficient funds", detail: result.Message),
    };
});

// Endpoints for load-balancing and load-generator experiments.
app.MapGet("/api/slow", async (int? ms, CancellationToken ct) =>
{
    var delay = Math.Clamp(ms ?? 100, 0, 120_000);
    await Task.Delay(delay, ct);
    return Results.Json(new { sleptMs = delay });
});
// Work that takes WORK_MS (per replica) to answer: one slow replica among fast ones.
var workMs = int.TryParse(Environment.GetEnvironmentVariable("WORK_MS"), out var w) ? w : 0;
app.MapGet("/api/work", async (InstanceIdentity id, CancellationToken ct) =>
{
    if (workMs > 0)
    {
        await Task.Delay(workMs, ct);
    }

    return Results.Json(new { container = id.InstanceId, workMs });
});

// Dies abruptly in the middle of the request, as a crashing replica does: the connection resets with no response.
app.MapPost("/api/crash", () =>
{
    Process.GetCurrentProcess().Kill();
    return Results.StatusCode(500);
});

app.MapGet("/api/status/{code:int}", (int code) => Results.Json(new { status = code }, statusCode: Math.Clamp(code, 200, 599)));

// What the replica received, header by header (each value as sent): tests check the trace and forwarded headers the gateway adds.
app.MapGet("/api/headers", (HttpRequest request) => Results.Json(request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToArray())));

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<IAccountStore>().InitializeAsync(CancellationToken.None);
}

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"{identity.InstanceId} (version {identity.Version}, pid {Environment.ProcessId}) listening on {string.Join(", ", app.Urls)}"));
app.Lifetime.ApplicationStopping.Register(() =>
    Console.WriteLine($"{identity.InstanceId} stopping"));

await app.RunAsync();

internal sealed record SessionRequest(string? ClientId, int? RequestNum);
