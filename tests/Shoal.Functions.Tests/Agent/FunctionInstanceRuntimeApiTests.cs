using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;
using Shoal.Functions.Pool;
using Shoal.Testing;

namespace Shoal.Functions.Tests.Agent;

/// <summary>
/// Who may talk to an instance's endpoint: the runtime (it knows the secret in <c>AWS_LAMBDA_RUNTIME_API</c>) and the
/// agent's gateway (it knows the invoke URL); anyone else who finds the port gets 404s. The test plays the runtime,
/// and a prober that has the port only.
/// </summary>
public sealed class FunctionInstanceRuntimeApiTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-agent-test-").FullName;
    private readonly FakeProcessRuntime _runtime = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private InstanceTable _table = null!;
    private InstanceInfo _container = null!;

    /// <summary><c>http://127.0.0.1:PORT/SECRET</c>, what the runtime builds its URLs from.</summary>
    private string RuntimeBase => "http://" + _runtime.Processes["i-1"].RuntimeApi;

    /// <summary><c>http://127.0.0.1:PORT</c>: all a prober with <c>ss</c> knows.</summary>
    private string PortOnly => new Uri(RuntimeBase).GetLeftPart(UriPartial.Authority);

    private string Secret => new Uri(RuntimeBase).AbsolutePath.Trim('/');

    public async Task InitializeAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _table = new InstanceTable(_runtime, _state, time, NullLoggerFactory.Instance);
        var spec = new FunctionConfiguration { Name = "echo", Command = ["bootstrap"], Handler = "index.handler", CodeDirectory = _state, MemoryMb = 128, TimeoutMs = 3000 };
        _container = await _table.EnsureAsync("i-1", "owner", spec, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _table.DisposeAsync();
        _http.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void RuntimeApi_IsHostPortAndA160BitSecret_AndTheInvokeUrlHasASecretOfItsOwn()
    {
        Assert.Matches("^127\\.0\\.0\\.1:[0-9]+/[0-9a-f]{40}$", _runtime.Processes["i-1"].RuntimeApi);
        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+/[0-9a-f]{40}$", _container.InvokeUrl);
        Assert.DoesNotContain(Secret, _container.InvokeUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_WithoutTheSecret_Is404LikeAPathThatDoesNotExist_AndTheEventStaysForTheRuntime()
    {
        var invocation = InvokeAsync("req-1", """{"Authorization":"Bearer s3cret"}""");
        using var unknown = await _http.GetAsync(PortOnly + "/no/such/path");
        var unknownBody = await unknown.Content.ReadAsStringAsync();

        string[] guesses =
        [
            PortOnly + "/2018-06-01/runtime/invocation/next",
            $"{PortOnly}/{new string('0', Secret.Length)}/2018-06-01/runtime/invocation/next",
            $"{PortOnly}/{Secret[..^1]}/2018-06-01/runtime/invocation/next",
            $"{PortOnly}/{Secret}0/2018-06-01/runtime/invocation/next",
            $"{PortOnly}/{Secret.ToUpperInvariant()}/2018-06-01/runtime/invocation/next",
            $"{PortOnly}/{Secret}",
            $"{PortOnly}//{Secret}/2018-06-01/runtime/invocation/next",
        ];
        foreach (var guess in guesses)
        {
            using var stolen = await _http.GetAsync(guess);
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
            Assert.Equal(unknownBody, await stolen.Content.ReadAsStringAsync());
            Assert.False(stolen.Headers.Contains("Lambda-Runtime-Aws-Request-Id"));
        }

        var (requestId, body) = await NextAsync();
        Assert.Equal("req-1", requestId);
        Assert.Contains("s3cret", body, StringComparison.Ordinal);
        await RespondAsync(requestId, "\"ok\"", HttpStatusCode.Accepted);
        Assert.Equal("\"ok\"", Text(await invocation.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task Response_WithoutTheSecret_Is404_AndNothingReachesTheCaller()
    {
        var invocation = InvokeAsync("req-1", "{}");
        var (requestId, _) = await NextAsync();

        foreach (var prefix in new[] { PortOnly, $"{PortOnly}/{new string('f', Secret.Length)}" })
        {
            using var forged = await _http.PostAsync($"{prefix}/2018-06-01/runtime/invocation/{requestId}/response", new StringContent("\"forged\""));
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
            using var forgedError = await _http.PostAsync($"{prefix}/2018-06-01/runtime/invocation/{requestId}/error", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.NotFound, forgedError.StatusCode);
            using var forgedInit = await _http.PostAsync($"{prefix}/2018-06-01/runtime/init/error", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.NotFound, forgedInit.StatusCode);
        }

        Assert.False(invocation.IsCompleted);
        await RespondAsync(requestId, "\"real\"", HttpStatusCode.Accepted);
        Assert.Equal("\"real\"", Text(await invocation.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task Response_IsAcceptedOnceAndOnlyForTheRequestIdTheInstanceHolds()
    {
        var first = InvokeAsync("req-1", "{}");
        var (id1, _) = await NextAsync();
        await RespondAsync("req-other", "\"forged\"", HttpStatusCode.BadRequest);
        Assert.False(first.IsCompleted);
        await RespondAsync(id1, "\"one\"", HttpStatusCode.Accepted);
        Assert.Equal("\"one\"", Text(await first.WaitAsync(s_wait)));

        // Replayed, the same answer is refused: before the next invocation and while it runs.
        await RespondAsync(id1, "\"replayed\"", HttpStatusCode.BadRequest);
        var second = InvokeAsync("req-2", "{}");
        var (id2, _) = await NextAsync();
        await RespondAsync(id1, "\"replayed\"", HttpStatusCode.BadRequest);
        using (var replayedError = await _http.PostAsync($"{RuntimeBase}/2018-06-01/runtime/invocation/{id1}/error", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replayedError.StatusCode);
        }

        Assert.False(second.IsCompleted);
        await RespondAsync(id2, "\"two\"", HttpStatusCode.Accepted);
        await RespondAsync(id2, "\"two again\"", HttpStatusCode.BadRequest);
        Assert.Equal("\"two\"", Text(await second.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task Response_AcceptedAnswer_HasItsLengthNotChunks()
    {
        var invocation = InvokeAsync("req-1", "{}");
        var (requestId, _) = await NextAsync();

        using var response = await _http.PostAsync($"{RuntimeBase}/2018-06-01/runtime/invocation/{requestId}/response", new StringContent("\"ok\""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(15, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal("""{"status":"OK"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal("\"ok\"", Text(await invocation.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task SecondNext_WhileOneWaits_Is409_AndTheEventGoesToTheFirstOnly()
    {
        var waiting = _http.GetAsync(RuntimeBase + "/2018-06-01/runtime/invocation/next");
        await Poll.UntilAsync(() => Describe().State == InstanceState.Running, s_wait, "the runtime's next is waiting");

        using (var second = await _http.GetAsync(RuntimeBase + "/2018-06-01/runtime/invocation/next"))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.False(second.Headers.Contains("Lambda-Runtime-Aws-Request-Id"));
        }

        var invocation = InvokeAsync("req-1", "{\"n\":1}");
        using var handed = await waiting.WaitAsync(s_wait);
        Assert.Equal("req-1", handed.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single());
        await RespondAsync("req-1", "\"done\"", HttpStatusCode.Accepted);
        Assert.Equal("\"done\"", Text(await invocation.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task InvokePath_NeedsTheInvokeSecret_NotTheRuntimes()
    {
        foreach (var prefix in new[] { PortOnly, RuntimeBase })
        {
            using var forged = await _http.PostAsync(prefix + InstanceInvokeHttp.Path, new StringContent("{}"));
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }

        Assert.Equal(InstanceState.Starting, Describe().State);
        using var invoker = new HttpInstanceInvoker();
        var invocation = invoker.InvokeAsync("i-1", _container.InvokeUrl, "req-1", "{\"n\":1}"u8.ToArray(), s_wait, CancellationToken.None);
        var (requestId, body) = await NextAsync();
        Assert.Equal("{\"n\":1}", body);
        await RespondAsync(requestId, "\"via http\"", HttpStatusCode.Accepted);
        Assert.Equal("\"via http\"", Text(await invocation.WaitAsync(s_wait)));
    }

    [Fact]
    public async Task TwoInstances_ShareOneListener_AndNeitherCanTakeOrAnswerTheOthersEvents()
    {
        var spec = new FunctionConfiguration { Name = "echo", Command = ["bootstrap"], Handler = "index.handler", CodeDirectory = _state, MemoryMb = 128, TimeoutMs = 3000 };
        var other = await _table.EnsureAsync("i-2", "owner", spec, CancellationToken.None);
        var otherBase = "http://" + _runtime.Processes["i-2"].RuntimeApi;
        Assert.Equal(PortOnly, new Uri(otherBase).GetLeftPart(UriPartial.Authority));
        Assert.NotEqual(RuntimeBase, otherBase);

        // B's event waits for B's runtime; A's runtime, polling with its own secret, is not handed it.
        var victim = _table.FindStarted("i-2", other.InvokeUrl)!.InvokeAsync("req-b", Encoding.UTF8.GetBytes("""{"secret":"b's"}"""));
        var ownNext = _http.GetAsync(RuntimeBase + "/2018-06-01/runtime/invocation/next");
        await Poll.UntilAsync(() => Describe().State == InstanceState.Running, s_wait, "A's next is waiting");
        Assert.False(ownNext.IsCompleted);

        // A answers (and fails) B's request id under its own secret: refused, and B's invocation is untouched.
        await RespondAsync("req-b", "\"forged by a\"", HttpStatusCode.BadRequest);
        using (var forgedError = await _http.PostAsync($"{RuntimeBase}/2018-06-01/runtime/invocation/req-b/error", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forgedError.StatusCode);
        }

        // A's runtime secret in front of the invoke path, or B's invoke URL's secret in front of the Runtime API: 404.
        var otherInvokeSecret = new Uri(other.InvokeUrl).AbsolutePath.Trim('/');
        using (var viaInvokeSecret = await _http.GetAsync($"{PortOnly}/{otherInvokeSecret}/2018-06-01/runtime/invocation/next"))
        {
            Assert.Equal(HttpStatusCode.NotFound, viaInvokeSecret.StatusCode);
        }

        using (var invokeOther = await _http.PostAsync(RuntimeBase + InstanceInvokeHttp.Path, new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, invokeOther.StatusCode);
        }

        Assert.False(victim.IsCompleted);
        Assert.False(ownNext.IsCompleted);

        // B's own runtime takes its event and answers it.
        using (var next = await _http.GetAsync(otherBase + "/2018-06-01/runtime/invocation/next").WaitAsync(s_wait))
        {
            Assert.Equal("req-b", next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single());
            Assert.Contains("b's", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var answered = await _http.PostAsync($"{otherBase}/2018-06-01/runtime/invocation/req-b/response", new StringContent("\"from b\"")))
        {
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }

        Assert.Equal("\"from b\"", Text(await victim.WaitAsync(s_wait)));
        Assert.False(ownNext.IsCompleted);
    }

    [Fact]
    public async Task DestroyedInstance_ItsSecretsAreUnknownPaths_WhileTheSharedListenerServesTheOthers()
    {
        var spec = new FunctionConfiguration { Name = "echo", Command = ["bootstrap"], Handler = "index.handler", CodeDirectory = _state, MemoryMb = 128, TimeoutMs = 3000 };
        var other = await _table.EnsureAsync("i-2", "owner", spec, CancellationToken.None);
        var otherBase = "http://" + _runtime.Processes["i-2"].RuntimeApi;
        Assert.True(await _table.DestroyAsync("i-2", TimeSpan.Zero));

        using (var next = await _http.GetAsync(otherBase + "/2018-06-01/runtime/invocation/next").WaitAsync(s_wait))
        {
            Assert.Equal(HttpStatusCode.NotFound, next.StatusCode);
        }

        using (var invoke = await _http.PostAsync(other.InvokeUrl + InstanceInvokeHttp.Path, new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, invoke.StatusCode);
        }

        var invocation = InvokeAsync("req-1", "{}");
        var (requestId, _) = await NextAsync();
        await RespondAsync(requestId, "\"still here\"", HttpStatusCode.Accepted);
        Assert.Equal("\"still here\"", Text(await invocation.WaitAsync(s_wait)));
    }

    private InstanceInfo Describe() => _table.Find("i-1")!;

    private Task<InvokeResult> InvokeAsync(string requestId, string payload) =>
        _table.FindStarted("i-1", _container.InvokeUrl)!.InvokeAsync(requestId, Encoding.UTF8.GetBytes(payload));

    private async Task<(string RequestId, string Body)> NextAsync()
    {
        using var next = await _http.GetAsync(RuntimeBase + "/2018-06-01/runtime/invocation/next").WaitAsync(s_wait);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        return (next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").Single(), await next.Content.ReadAsStringAsync());
    }

    private async Task RespondAsync(string requestId, string body, HttpStatusCode expected)
    {
        using var response = await _http.PostAsync($"{RuntimeBase}/2018-06-01/runtime/invocation/{requestId}/response", new StringContent(body));
        Assert.Equal(expected, response.StatusCode);
    }

    private static string Text(InvokeResult result) => Encoding.UTF8.GetString(result.Payload.Span);
}
