using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Shoal.Registry.Client;
using Shoal.Testing;

namespace Shoal.Registry.Tests;

/// <summary>The C# client against a scripted registry: a watch that loses its connection resumes after the last index it saw.</summary>
public sealed class RegistryClientTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _asked = new();
    private readonly int _port = FreePort.Next();
    private WebApplication? _server;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _server = builder.Build();
        var connection = 0;
        _server.MapGet("/v1/services/api/watch", async (HttpContext context) =>
        {
            var index = long.Parse(context.Request.Query["index"]!, System.Globalization.CultureInfo.InvariantCulture);
            _asked.Enqueue(context.Request.Query["index"]!);
            context.Response.ContentType = "text/event-stream";
            var first = Interlocked.Increment(ref connection) == 1;
            foreach (var next in first ? new[] { index + 1, index + 2 } : [index + 1])
            {
                await context.Response.WriteAsync($"id: {next}\nevent: updated\ndata: {{\"index\":{next},\"type\":\"updated\",\"service\":\"api\",\"id\":\"a-{next}\"}}\n\n");
                await context.Response.Body.FlushAsync();
            }

            if (first)
            {
                // The stream ends (a registry restarting, a proxy's idle cut) after two events.
                return;
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        var multiConnection = 0;
        _server.MapGet("/v1/services/multi/watch", async (HttpContext context) =>
        {
            _lastEventIds.Enqueue(context.Request.Headers["Last-Event-ID"].ToString());
            context.Response.ContentType = "text/event-stream";
            if (Interlocked.Increment(ref multiConnection) == 1)
            {
                // One event's JSON over two data lines (the SSE spec joins them with a newline), between keep-alive comments.
                await context.Response.WriteAsync(": keep-alive\n\nid: 7\nevent: registered\ndata: {\"index\":7,\"type\":\"registered\",\ndata: \"service\":\"multi\",\"id\":\"m-1\"}\n\n: keep-alive\n\n");
                return;
            }

            await context.Response.WriteAsync("id: 8\ndata: {\"index\":8,\"type\":\"deregistered\",\"service\":\"multi\",\"id\":\"m-1\"}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await _server.StartAsync();
    }

    private readonly ConcurrentQueue<string> _lastEventIds = new();

    [Fact]
    public async Task Watch_MultiLineDataAndIds_ParsedAndResumedWithLastEventId()
    {
        var client = new RegistryClient(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<ServiceEvent>();

        await foreach (var e in client.WatchAsync("multi", 0, timeout.Token))
        {
            seen.Add(e);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([(7L, "registered", "m-1"), (8L, "deregistered", "m-1")], seen.Select(e => (e.Index, e.Type, e.Id)));
        Assert.Equal(["", "7"], _lastEventIds);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Watch_AfterADroppedConnection_ResumesAfterTheLastIndexSeen_WithoutRepeats()
    {
        var client = new RegistryClient(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<long>();

        try
        {
            await foreach (var e in client.WatchAsync("api", afterIndex: 4, timeout.Token))
            {
                seen.Add(e.Index);
                if (seen.Count == 3)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"timed out having seen [{string.Join(", ", seen)}] after asking for [{string.Join(", ", _asked)}]");
        }

        Assert.Equal([5, 6, 7], seen);
        Assert.Equal(["4", "6"], _asked);
    }
}
