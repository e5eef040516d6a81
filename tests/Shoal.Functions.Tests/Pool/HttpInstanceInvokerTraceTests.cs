using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Agent.Protocol.Telemetry;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Pool;

/// <summary>The trace a remote agent's instance gets over HTTP: the pool's invoke span, and no other activity's.</summary>
public sealed class HttpInstanceInvokerTraceTests : IAsyncLifetime
{
    private static readonly ActivitySource s_functions = new(FunctionTraceContext.SourceName);
    private readonly int _port = FreePort.Next();
    private readonly ConcurrentQueue<string[]> _received = new();
    private WebApplication? _server;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _server = builder.Build();
        _server.MapPost(InstanceInvokeHttp.Path, (HttpContext context) =>
        {
            _received.Enqueue([.. context.Request.Headers.TraceParent.Select(v => v ?? "")]);
            return Results.Text("{}", "application/json");
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task InvokeAsync_UnderTheInvokeSpan_SendsItAsTheOneTraceparent()
    {
        var trace = ActivityTraceId.CreateRandom();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FunctionTraceContext.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(listener);
        using var invoker = new HttpInstanceInvoker();
        using var span = s_functions.StartActivity("shoal.function.invoke", ActivityKind.Client, new ActivityContext(trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));

        await invoker.InvokeAsync("i-1", $"http://127.0.0.1:{_port}", "r-1", "{}"u8.ToArray(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.NotNull(span);
        Assert.Equal([span.Id!], Assert.Single(_received));
    }

    [Fact]
    public async Task InvokeAsync_UnderAnotherActivity_SendsNoTraceparent()
    {
        using var invoker = new HttpInstanceInvoker();
        using var other = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start();

        await invoker.InvokeAsync("i-1", $"http://127.0.0.1:{_port}", "r-1", "{}"u8.ToArray(), TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Empty(Assert.Single(_received));
    }
}
