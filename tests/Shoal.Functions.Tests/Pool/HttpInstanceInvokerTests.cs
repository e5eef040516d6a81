using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Pool;

/// <summary>The invoker's deadline runs on the injected clock: an instance that never answers is given up at the limit, not before.</summary>
public sealed class HttpInstanceInvokerTests : IAsyncLifetime
{
    private readonly int _port = FreePort.Next();
    private WebApplication? _server;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        _server = builder.Build();
        _server.MapPost(InstanceInvokeHttp.Path, async (HttpContext context) =>
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
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
    public async Task InvokeAsync_AnInstanceThatNeverAnswers_IsNoAnswerAtTheLimitOfTheInjectedClock()
    {
        var time = new TimerCountingTimeProvider();
        using var invoker = new HttpInstanceInvoker(time);

        var call = invoker.InvokeAsync("i-1", $"http://127.0.0.1:{_port}", "r-1", "{}"u8.ToArray(), TimeSpan.FromMinutes(15), CancellationToken.None);
        await time.WaitForTimersAsync(1, "the invocation's deadline", TimeSpan.FromMinutes(15));
        time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(call.IsCompleted, "answered before its limit");

        time.Advance(TimeSpan.FromSeconds(1));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(InvokeResultKind.Timeout, result.Kind);
        Assert.True(result.InstanceGone);
    }
}
