using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary><c>GET /v1/events</c> through the real daemon: lifecycle events in order with ids, resuming, functions, trust.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EventsTests(EventsStack fixture) : IClassFixture<EventsStack>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task KillReplica_StoppedRestartedStartedHealthyArriveInOrder_ResumeSendsOnlyNewer()
    {
        await using var all = fixture.Subscribe("?after=0");
        await Poll.UntilAsync(() => Has(all, "instance.healthy", "ticker-2"), s_wait, "ticker-2's healthy event from the start");
        Assert.Equal("text/event-stream", all.ContentType);
        var before = all.Items.Count;
        var victim = Stack.RecordedPids()["ticker-2"];

        ProcessUtil.Signal(victim, "-9");

        string[] expected = ["instance.stopped", "instance.restarted", "instance.started", "instance.healthy"];
        await Poll.UntilAsync(() => Types(all.Items.Skip(before), "ticker-2").Count >= expected.Length, s_wait, "ticker-2's restart events");
        var after = all.Items.Skip(before).Where(i => Field(i, "instance") == "ticker-2").ToList();
        Assert.Equal(expected, after.Take(expected.Length).Select(i => i.EventType));
        var ids = all.Items.Select(i => long.Parse(i.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        using (var stopped = JsonDocument.Parse(after[0].Data))
        {
            Assert.Equal("ticker", stopped.RootElement.GetProperty("service").GetString());
            Assert.Equal(137, stopped.RootElement.GetProperty("details").GetProperty("exit_code").GetInt32());
            Assert.True(DateTimeOffset.TryParse(stopped.RootElement.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        }

        // A client that reconnects with the id of the restart gets what came after it, nothing older.
        var restartedId = long.Parse(after[1].EventId!, System.Globalization.CultureInfo.InvariantCulture);
        await using var resumed = fixture.Subscribe("", lastEventId: after[1].EventId);
        await Poll.UntilAsync(() => Has(resumed, "instance.healthy", "ticker-2"), s_wait, "the resumed stream to reach ticker-2's healthy event");
        var resumedIds = resumed.Items.Select(i => long.Parse(i.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(restartedId + 1, resumedIds[0]);
        Assert.Equal("instance.started", resumed.Items.First(i => Field(i, "instance") == "ticker-2").EventType);
    }

    [Fact]
    public async Task Invoke_ColdStart_PublishedAsFunctionEventOnlyToTheFilter()
    {
        await using var functions = fixture.Subscribe("?types=function.*");
        using var first = await Stack.Client.PostAsync("/echo", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        await Poll.UntilAsync(() => functions.Items.Any(i => i.EventType == "function.cold_start"), s_wait, "the cold start event");
        var cold = functions.Items.First(i => i.EventType == "function.cold_start");
        Assert.Equal("echo", Field(cold, "function"));
        Assert.All(functions.Items, i => Assert.StartsWith("function.", i.EventType, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1000000000000000000000000000000")]
    [InlineData("1 OR 1=1")]
    public async Task Events_GarbageLastEventId_400Problem(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", id);
        using var response = await Stack.AdminClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not an event id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_HugeLastEventIdHeader_RefusedWithoutStreaming()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", new string('9', 20_000));
        using var response = await Stack.AdminClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Events_UnknownType_400NamingIt()
    {
        using var response = await Stack.AdminClient.GetAsync("/v1/events?types=instance.started,instance.exploded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'instance.exploded' is not an event type", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_NoToken_401_AndAnotherUserCannotUseTheSocket()
    {
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Stack.Admin };
        using var response = await plain.GetAsync("/v1/events?after=0", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // The directories are opened to others so that only the socket's own check stands in the way.
        File.SetUnixFileMode(Stack.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(Stack.Directory, ".shoal"), (UnixFileMode)0b111_101_101);
        var socket = await ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--unix-socket", Stack.AdminSocket, "http://localhost/v1/events?after=0"], timeout: s_wait);
        var tcp = await ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", Stack.Admin + "v1/events?after=0"], timeout: s_wait);

        Assert.NotEqual("200", socket.Stdout.Trim());
        Assert.Equal("401", tcp.Stdout.Trim());
    }

    private static bool Has(EventsStack.Subscription subscription, string type, string instance) =>
        subscription.Items.Any(i => i.EventType == type && Field(i, "instance") == instance);

    private static List<string> Types(IEnumerable<SseItem<string>> items, string instance) =>
        items.Where(i => Field(i, "instance") == instance).Select(i => i.EventType).ToList();

    private static string? Field(SseItem<string> item, string name)
    {
        using var doc = JsonDocument.Parse(item.Data);
        return doc.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
