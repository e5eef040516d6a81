using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shoal.Functions.Tests.Runtime;

/// <summary>
/// A scripted Lambda Runtime API on a loopback port: <c>next</c> hands out the events the test queued (and waits
/// while there are none); <c>response</c>, <c>error</c> and <c>init/error</c> are recorded for the test to await.
/// </summary>
internal sealed class FakeRuntimeApi : IAsyncDisposable
{
    public const long DeadlineMs = 1_700_000_030_000;
    public const string FunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:echo";

    private readonly Channel<(string RequestId, string Event)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RuntimePost>> _posts = new();
    private readonly TaskCompletionSource _firstNext = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WebApplication _app;
    private int _nextCalls;

    private FakeRuntimeApi(WebApplication app) => _app = app;

    /// <summary>The <c>host:port</c> to give the runtime.</summary>
    public string Address { get; private set; } = "";

    /// <summary>How many times <c>next</c> was asked for.</summary>
    public int NextCalls => Volatile.Read(ref _nextCalls);

    /// <summary>Completes when the runtime first asks for <c>next</c>.</summary>
    public Task FirstNext => _firstNext.Task;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeRuntimeApi(app);
        app.MapGet("/2018-06-01/runtime/invocation/next", api.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{id}/{kind}", (HttpContext context, string id, string kind) => api.RecordAsync(context, id, kind));
        app.MapPost("/2018-06-01/runtime/init/error", (HttpContext context) => api.RecordAsync(context, "init", "init/error"));
        await app.StartAsync();
        api.Address = new Uri(app.Urls.First()).Authority;
        return api;
    }

    public void Enqueue(string requestId, string json) => _events.Writer.TryWrite((requestId, json));

    /// <summary>What was posted for <paramref name="requestId"/> (<c>init</c> for init/error), within 10 s.</summary>
    public Task<RuntimePost> PostedAsync(string requestId) =>
        _posts.GetOrAdd(requestId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(10));

    public bool HasPost(string requestId) => _posts.TryGetValue(requestId, out var post) && post.Task.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _app.DisposeAsync();
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextCalls);
        _firstNext.TrySetResult();
        (string RequestId, string Event) next;
        try
        {
            next = await _events.Reader.ReadAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            return;
        }

        context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.RequestId;
        context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = DeadlineMs.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        context.Response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(next.Event);
    }

    private async Task RecordAsync(HttpContext context, string id, string kind)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        _posts.GetOrAdd(id, _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult(new RuntimePost(kind, body, errorType.Length == 0 ? null : errorType));
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
