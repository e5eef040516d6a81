using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;

namespace Shoal.Functions.Tests.Agent;

/// <summary>
/// The in-process hand-off from a gateway to an agent's instances, against the instance's real Runtime API endpoint
/// with the test playing the runtime process (the clock never moves, so no deadline fires).
/// </summary>
public sealed class LocalInstanceInvokerTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-agent-test-").FullName;
    private readonly FakeProcessRuntime _runtime = new();
    private readonly RecordingInvoker _fallback = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private InstanceTable _table = null!;
    private LocalInstanceInvoker _invoker = null!;

    public Task InitializeAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _table = new InstanceTable(_runtime, _state, time, NullLoggerFactory.Instance);
        _invoker = new LocalInstanceInvoker(_table, _fallback, time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _table.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task HandsTheEventToTheRuntimeAndReturnsItsResponse_WithoutHttpToTheInstance()
    {
        var container = await StartAsync("i-1");
        var runtime = ServeOneAsync(container, "response", echoPrefix: "seen:");

        var result = await _invoker.InvokeAsync("i-1", container.InvokeUrl, "req-1", "{\"n\":1}"u8.ToArray(), Limit, CancellationToken.None);

        Assert.Equal(InvokeResultKind.Success, result.Kind);
        Assert.Equal("seen:{\"n\":1}", System.Text.Encoding.UTF8.GetString(result.Payload.Span));
        Assert.False(result.InstanceGone);
        Assert.Equal("req-1", await runtime);
        Assert.Empty(_fallback.Calls);
    }

    [Fact]
    public async Task AHandlerErrorComesBackAsOverHttp()
    {
        var container = await StartAsync("i-1");
        var direct = ServeOneAsync(container, "error", echoPrefix: "");
        var viaTable = await _invoker.InvokeAsync("i-1", container.InvokeUrl, "req-1", "{\"errorMessage\":\"boom\",\"errorType\":\"E\"}"u8.ToArray(), Limit, CancellationToken.None);
        await direct;

        using var http = new HttpInstanceInvoker();
        var overHttp = ServeOneAsync(container, "error", echoPrefix: "");
        var viaHttp = await http.InvokeAsync("i-1", container.InvokeUrl, "req-2", "{\"errorMessage\":\"boom\",\"errorType\":\"E\"}"u8.ToArray(), Limit, CancellationToken.None);
        await overHttp;

        Assert.Equal(InvokeResultKind.HandlerError, viaTable.Kind);
        Assert.Equal(viaTable.Kind, viaHttp.Kind);
        Assert.Equal(("E", "boom"), (viaTable.ErrorType, viaTable.ErrorMessage));
        Assert.Equal((viaTable.ErrorType, viaTable.ErrorMessage, viaTable.InstanceGone, viaTable.NotRun), (viaHttp.ErrorType, viaHttp.ErrorMessage, viaHttp.InstanceGone, viaHttp.NotRun));
    }

    [Fact]
    public async Task ABusyInstanceRefusesASecondEvent_AsNotRun()
    {
        var container = await StartAsync("i-1");
        var first = _invoker.InvokeAsync("i-1", container.InvokeUrl, "req-1", "{}"u8.ToArray(), Limit, CancellationToken.None);

        var second = await _invoker.InvokeAsync("i-1", container.InvokeUrl, "req-2", "{}"u8.ToArray(), Limit, CancellationToken.None);

        Assert.True(second.NotRun);
        Assert.False(second.InstanceGone);
        Assert.Equal("ResourceConflictException", second.ErrorType);
        Assert.Equal("req-1", await ServeOneAsync(container, "response", echoPrefix: ""));
        Assert.Equal(InvokeResultKind.Success, (await first).Kind);
    }

    [Fact]
    public async Task AnInstanceWhoseProcessExitedAnswersAtOnce_NotRunAndGone()
    {
        var container = await StartAsync("i-1");
        _runtime.Processes["i-1"].Exit(3);
        await WaitUntilAsync(() => _table.Find("i-1")!.State == InstanceState.Exited);

        var result = await _invoker.InvokeAsync("i-1", container.InvokeUrl, "req-1", "{}"u8.ToArray(), Limit, CancellationToken.None);

        Assert.Equal(InvokeResultKind.Crash, result.Kind);
        Assert.True(result.NotRun);
        Assert.True(result.InstanceGone);
        Assert.Contains("exit status 3", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstancesTheAgentDoesNotHoldGoToTheFallback()
    {
        var container = await StartAsync("i-1");

        var unknown = await _invoker.InvokeAsync("i-9", "http://127.0.0.1:1", "req-1", "{}"u8.ToArray(), Limit, CancellationToken.None);
        var otherEndpoint = await _invoker.InvokeAsync("i-1", "http://127.0.0.1:2", "req-2", "{}"u8.ToArray(), Limit, CancellationToken.None);

        Assert.Same(RecordingInvoker.Answer, unknown);
        Assert.Same(RecordingInvoker.Answer, otherEndpoint);
        Assert.Equal(["i-9 http://127.0.0.1:1 req-1", "i-1 http://127.0.0.1:2 req-2"], _fallback.Calls);
        Assert.NotEqual("http://127.0.0.1:2", container.InvokeUrl);
    }

    private async Task<InstanceInfo> StartAsync(string id)
    {
        var spec = new FunctionConfiguration { Name = "echo", Command = ["bootstrap"], Handler = "index.handler", CodeDirectory = _state, MemoryMb = 128, TimeoutMs = 3000 };
        return await _table.EnsureAsync(id, "owner", spec, CancellationToken.None);
    }

    /// <summary>Plays the runtime for one event: <c>next</c>, then <c>response</c> or <c>error</c> with the event (prefixed) as the body. Returns the request id.</summary>
    private async Task<string> ServeOneAsync(InstanceInfo container, string verb, string echoPrefix)
    {
        var api = "http://" + _runtime.Processes[container.Id].RuntimeApi + "/2018-06-01/runtime/invocation/";
        using var next = await _http.GetAsync(api + "next", CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single();
        var body = echoPrefix + await next.Content.ReadAsStringAsync(CancellationToken.None);
        using var content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json"));
        using var posted = await _http.PostAsync($"{api}{requestId}/{verb}", content, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return requestId;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

    private sealed class RecordingInvoker : IInstanceInvoker
    {
        public static readonly InvokeResult Answer = new(InvokeResultKind.Success, "\"fallback\""u8.ToArray(), InstanceGone: false);

        public List<string> Calls { get; } = [];

        public Task<InvokeResult> InvokeAsync(string instanceId, string invokeUrl, string requestId, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
        {
            Calls.Add($"{instanceId} {invokeUrl} {requestId}");
            return Task.FromResult(Answer);
        }
    }
}
