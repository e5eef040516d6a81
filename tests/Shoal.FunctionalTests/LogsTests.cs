using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary><c>shoal logs</c> flags, the daemon's own log, <c>GET /v1/logs</c> and Lambda's START/END/REPORT lines, through the real daemon.</summary>
[Collection(EventsCollection.Name)]
public sealed partial class LogsTests(EventsStack fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Logs_StackFileWhereTheServiceGoes_ReadsThatStack()
    {
        // Before: `logs x.yml` (and `logs -f x.yml`) took the file for a service named "x.yml" and printed nothing.
        var logs = await ShoalCli.RunAsync(Path.GetTempPath(), "logs", Stack.FilePath, "--tail", "1");

        Assert.Equal(0, logs.ExitCode);
        Assert.Contains("ticker-1 | ", logs.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_DashF_FollowsNewLines()
    {
        await using var follow = BackgroundProcess.Start(RepoPaths.Shoal, ["logs", "-f", "ticker", "--file", Stack.FilePath]);
        var first = 0;
        await Poll.UntilAsync(() => (first = LastTick(follow.Lines)) > 0, s_wait, "logs -f to print a tick");

        await Poll.UntilAsync(() => LastTick(follow.Lines) >= first + 5, s_wait, "logs -f to print ticks written after it started");
        Assert.False(follow.HasExited);
    }

    [Fact]
    public async Task Logs_GrepAndTimestamps_OnlyMatchingLinesEachWithItsUtcTime()
    {
        var logs = await Stack.ShoalAsync("logs", "ticker", "--grep", "^booted", "--timestamps");

        Assert.Equal(0, logs.ExitCode);
        var lines = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            var match = StampedLine().Match(line);
            Assert.True(match.Success, line);
            Assert.StartsWith("booted ticker-", match.Groups["text"].Value, StringComparison.Ordinal);
            var time = DateTimeOffset.Parse(match.Groups["time"].Value, CultureInfo.InvariantCulture);
            Assert.InRange(time, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));
        });
    }

    [Fact]
    public async Task Logs_Since_DropsOlderLines()
    {
        // The ticker writes five lines a second per replica: two seconds is a fraction of what it wrote since start.
        await Poll.UntilAsync(() => File.ReadAllLines(Path.Combine(Stack.Directory, ".shoal", "logs", "ticker-1.log")).Length > 40, s_wait, "ticker-1 to write 40 lines");
        var all = Lines(await Stack.ShoalAsync("logs", "ticker-1", "--timestamps"));
        var started = DateTimeOffset.UtcNow;
        var recent = Lines(await Stack.ShoalAsync("logs", "ticker-1", "--timestamps", "--since", "2s"));
        var byTime = Lines(await Stack.ShoalAsync("logs", "ticker-1", "--since", started.AddSeconds(-2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)));

        Assert.NotEmpty(recent);
        Assert.True(recent.Count < all.Count / 2, $"{recent.Count} of {all.Count} lines are from the last 2 s");
        Assert.All(recent, line => Assert.True(DateTimeOffset.Parse(StampedLine().Match(line).Groups["time"].Value, CultureInfo.InvariantCulture) >= started - TimeSpan.FromSeconds(4), line));
        Assert.NotEmpty(byTime);
        Assert.True(byTime.Count < all.Count / 2);
        var bad = await Stack.ShoalAsync("logs", "--since", "yesterday");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since 'yesterday'", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DaemonLog_EveryLineStartsWithFullUtcTime()
    {
        var lines = File.ReadAllLines(Path.Combine(Stack.Directory, ".shoal", "shoal.log")).Where(l => l.Contains(": Shoal", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", line));
    }

    [Fact]
    public async Task Invoke_FunctionLog_HasStartEndReportWithInitDurationOnTheColdStart()
    {
        using var response = await Stack.Client.PostAsync("/echo", new StringContent("{\"n\":1}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var again = await Stack.Client.PostAsync("/echo", new StringContent("{\"n\":2}"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        List<string> lines = [];
        await Poll.UntilAsync(async () =>
        {
            lines = Lines(await Stack.ShoalAsync("logs", "echo")).Select(l => l[(l.IndexOf(" | ", StringComparison.Ordinal) + 3)..]).ToList();
            return lines.Count(l => l.StartsWith("REPORT ", StringComparison.Ordinal)) >= 2;
        }, s_wait, "two REPORT lines in the function's log");

        var start = lines.FindIndex(l => l.StartsWith("START RequestId: ", StringComparison.Ordinal));
        var end = lines.FindIndex(l => l.StartsWith("END RequestId: ", StringComparison.Ordinal));
        var report = lines.FindIndex(l => l.StartsWith("REPORT RequestId: ", StringComparison.Ordinal));
        Assert.True(start >= 0 && start < end && end < report, string.Join("\n", lines));
        var id = lines[start]["START RequestId: ".Length..].Split(' ')[0];
        Assert.Equal($"START RequestId: {id} Version: $LATEST", lines[start]);
        Assert.Equal($"END RequestId: {id}", lines[end]);
        Assert.Matches($@"^REPORT RequestId: {id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms$", lines[report]);
        var reports = lines.Where(l => l.StartsWith("REPORT ", StringComparison.Ordinal)).ToList();
        Assert.Single(reports, l => l.Contains("Init Duration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogsEndpoint_TailAndFollow()
    {
        var tail = await Stack.AdminJsonAsync("/v1/logs?service=ticker&instance=ticker-1&tail=3");
        Assert.Equal(3, tail.GetProperty("lines").GetArrayLength());
        Assert.StartsWith("tick ", tail.GetProperty("lines")[2].GetString(), StringComparison.Ordinal);

        var huge = await Stack.AdminJsonAsync("/v1/logs?service=ticker&instance=ticker-1&tail=99999999999999999999");
        Assert.InRange(huge.GetProperty("lines").GetArrayLength(), 4, 10_000);

        using var cts = new CancellationTokenSource(s_wait);
        using var response = await Stack.AdminClient.GetAsync("/v1/logs?service=ticker&instance=ticker-1&tail=1&follow=1", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        var seen = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cts.Token))
        {
            seen.Add(item);
            if (seen.Count == 4)
            {
                break;
            }
        }

        Assert.All(seen, i => Assert.Equal("line", i.EventType));
        var offsets = seen.Select(i => long.Parse(i.EventId!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
    }

    [Theory]
    [InlineData("service=../../etc&instance=passwd")]
    [InlineData("service=ticker&instance=../../../etc/passwd")]
    [InlineData("service=ticker&instance=..%2F..%2Fshoal")]
    [InlineData("service=ticker&instance=ticker-1&tail=-5")]
    [InlineData("service=ticker&instance=ticker-1&tail=lots")]
    [InlineData("service=ticker")]
    public async Task LogsEndpoint_HostileInput_400Problem(string query)
    {
        using var response = await Stack.AdminClient.GetAsync("/v1/logs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LogsEndpoint_NoToken_401_UnknownInstance_404()
    {
        using var plain = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Stack.Admin };
        using var anonymous = await plain.GetAsync("/v1/logs?service=ticker&instance=ticker-1");
        using var missing = await Stack.AdminClient.GetAsync("/v1/logs?service=ticker&instance=ticker-9");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static int LastTick(IReadOnlyList<string> lines) =>
        lines.Select(l => TickLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    private static List<string> Lines(ProcessRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [GeneratedRegex(@"^ticker-\d \| (?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?<text>.*)$")]
    private static partial Regex StampedLine();

    [GeneratedRegex(@"^ticker-\d \| tick (\d+)$")]
    private static partial Regex TickLine();
}
