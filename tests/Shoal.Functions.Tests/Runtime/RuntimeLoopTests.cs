using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Runtime;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Runtime;

/// <summary>The runtime loop in-process against a scripted Runtime API on loopback.</summary>
public sealed class RuntimeLoopTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(FakeRuntimeApi.DeadlineMs - 5_000));
    private readonly StringWriter _log = new();
    private readonly CancellationTokenSource _stop = new();
    private FakeRuntimeApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeRuntimeApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _api.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task RunAsync_OneInvocation_PostsTheHandlersResultUnderItsRequestId()
    {
        ILambdaContext? seen = null;
        var run = Run((input, context) =>
        {
            seen = context;
            context.Logger.LogLine("handled");
            return Task.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes($"{{\"id\":\"{context.AwsRequestId}\",\"event\":{Encoding.UTF8.GetString(input.Span)}}}"));
        });
        _api.Enqueue("req-1", """{"n":1}""");

        var post = await _api.PostedAsync("req-1");

        Assert.Equal("response", post.Kind);
        Assert.Equal("""{"id":"req-1","event":{"n":1}}""", post.Body);
        Assert.NotNull(seen);
        Assert.Equal("echo", seen.FunctionName);
        Assert.Equal("7", seen.FunctionVersion);
        Assert.Equal(256, seen.MemoryLimitInMB);
        Assert.Equal(FakeRuntimeApi.FunctionArn, seen.InvokedFunctionArn);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", seen.TraceId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(FakeRuntimeApi.DeadlineMs), seen.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(5), seen.RemainingTime);
        Assert.Contains("\treq-1\thandled", _log.ToString(), StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_AsyncHandlerAndOneThatBlocksOnAsyncWork_BothAnswer()
    {
        // The loop blocks on its own thread while a handler runs: a handler's awaits and even a sync-over-async wait
        // complete on the thread pool meanwhile.
        var calls = 0;
        var run = Run(async (input, context) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Yield();
                return Encoding.UTF8.GetBytes("\"awaited\"");
            }

            var blocked = Task.Run(async () =>
            {
                await Task.Yield();
                return "\"blocked\"";
            }).Result;
            return Encoding.UTF8.GetBytes(blocked);
        });
        _api.Enqueue("req-1", "{}");
        _api.Enqueue("req-2", "{}");

        Assert.Equal("\"awaited\"", (await _api.PostedAsync("req-1")).Body);
        Assert.Equal("\"blocked\"", (await _api.PostedAsync("req-2")).Body);
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_PostsAnErrorWithTheExceptionTypeName_AndGoesOn()
    {
        var run = Run((input, _) => input.Length < 3
            ? throw new InvalidOperationException("boom")
            : Task.FromResult(input));
        _api.Enqueue("bad", "{}");
        _api.Enqueue("good", """{"ok":true}""");

        var error = await _api.PostedAsync("bad");
        var next = await _api.PostedAsync("good");

        Assert.Equal("error", error.Kind);
        Assert.Equal("InvalidOperationException", error.ErrorTypeHeader);
        using var json = JsonDocument.Parse(error.Body);
        Assert.Equal("InvalidOperationException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("boom", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.NotEqual(0, json.RootElement.GetProperty("stackTrace").GetArrayLength());
        Assert.Equal(("response", """{"ok":true}"""), (next.Kind, next.Body));
        await StopAsync(run);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileWaitingForAnEvent_StopsTheLoopWithExitCodeZero()
    {
        var run = Run((input, _) => Task.FromResult(input));
        await _api.FirstNext.WaitAsync(TimeSpan.FromSeconds(10));

        await _stop.CancelAsync();

        Assert.Equal(RuntimeLoop.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, _api.NextCalls);
    }

    [Fact]
    public async Task RunAsync_InitializationThrows_PostsInitErrorAndReturnsOne_WithoutAskingForEvents()
    {
        var loop = new RuntimeLoop(Environment(_api.Address), _time, _log);

        var exitCode = await loop.RunAsync(_ => throw new FileNotFoundException("no config"), _stop.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RuntimeLoop.Failed, exitCode);
        var post = await _api.PostedAsync("init");
        Assert.Equal(("init/error", "FileNotFoundException"), (post.Kind, post.ErrorTypeHeader));
        Assert.Contains("\"errorMessage\":\"no config\"", post.Body, StringComparison.Ordinal);
        Assert.Equal(0, _api.NextCalls);
    }

    [Fact]
    public async Task RunAsync_RuntimeApiUnreachable_ReturnsOne()
    {
        var loop = new RuntimeLoop(Environment($"127.0.0.1:{FreePort.Next()}"), _time, _log);

        var exitCode = await loop.RunAsync(_ => Task.FromResult<Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>>>((input, _) => Task.FromResult(input)), _stop.Token)
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(RuntimeLoop.Failed, exitCode);
        Assert.Contains("Runtime API lost", _log.ToString(), StringComparison.Ordinal);
    }

    private static LambdaEnvironment Environment(string address) => new(address, "echo", "7", 256);

    private Task<int> Run(Func<ReadOnlyMemory<byte>, ILambdaContext, Task<ReadOnlyMemory<byte>>> handler) =>
        new RuntimeLoop(Environment(_api.Address), _time, TextWriter.Synchronized(_log)).RunAsync(_ => Task.FromResult(handler), _stop.Token);

    private async Task StopAsync(Task<int> run)
    {
        await _stop.CancelAsync();
        Assert.Equal(RuntimeLoop.Stopped, await run.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
