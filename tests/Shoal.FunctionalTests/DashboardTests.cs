using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// The dashboard at <c>/</c> on the admin listener, in a real browser (Debian's chromium through Playwright) against
/// the quickstart run by the real <c>./shoal</c>; and its static handler and the token rule over plain HTTP.
/// </summary>
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Dashboard_InChromium_ListsInstances_ChartsMoveUnderLoad_AKilledReplicaTurnsRedAndBack_ShowsEventsLogAndACanarySplit()
    {
        var (playwright, browser) = await DashboardBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            // HTTP refusals are judged from the responses below (a wrong token is refused on purpose, a stack without
            // functions answers 404); any other error in the console, a CSP violation first, is a fault of the page.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                lock (problems)
                {
                    problems.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) => { lock (problems) { problems.Add(error); } };
        page.Response += (_, response) =>
        {
            var path = new Uri(response.Url).AbsolutePath;
            var expected = response.Status < 400 || response.Status == 401 || (response.Status == 404 && path == "/v1/functions");
            if (!expected)
            {
                lock (problems)
                {
                    problems.Add($"{response.Status} {response.Url}");
                }
            }
        };

        await page.GotoAsync(Stack.Admin.ToString());
        await page.WaitForSelectorAsync("#login-form", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });

        await page.FillAsync("#token", "not-the-token");
        await page.ClickAsync("#login-form button[type=submit]");
        await WaitAsync(page, "document.getElementById('login-error').textContent.includes('refused')", "a wrong token to be refused");

        await page.FillAsync("#token", Stack.Token!);
        await page.ClickAsync("#login-form button[type=submit]");
        await WaitAsync(page, "['app-1', 'app-2'].every(id => document.querySelector(`article.instance[data-instance='${id}'][data-health='ok']`))", "both quickstart replicas to show healthy");
        Assert.Equal(Stack.Token, await page.EvaluateAsync<string>("sessionStorage.getItem('shoal.admin.token')"));
        Assert.Equal("1.0.0", await page.GetAttributeAsync(".version:has(article[data-instance='app-1'])", "data-version"));

        // The page itself holds no data: from the page's origin, a call without the token is refused.
        Assert.Equal(401, await page.EvaluateAsync<int>("fetch('/v1/stack').then(r => r.status)"));

        // Open-loop load at a modest rate: the browser, the stack and the bench share two cores.
        await using (var bench = await BackgroundProcess.ShoalAsync("bench", $"{Stack.Gateway}api/whoami", "--rate", "150", "-d", "120s", "-c", "4"))
        {
            await WaitAsync(page, "['app-1', 'app-2'].every(id => parseFloat(document.querySelector(`article[data-instance='${id}'] [data-metric='rps']`)?.textContent) > 5)", "req/s to rise on both instances under load");
            await WaitAsync(page, "Number.isFinite(parseFloat(document.querySelector(`article[data-instance='app-1'] [data-metric='p99']`)?.textContent))", "a p99 for app-1");

            var pid = await ReplicaPidAsync("app-1");
            ProcessUtil.Kill(pid);
            await WaitAsync(page, "document.querySelector(`article[data-instance='app-1']`)?.dataset.health === 'bad'", "the killed replica to turn red");
            await WaitAsync(page, $"(c => c?.dataset.health === 'ok' && !c.querySelector('.meta').textContent.includes('pid {pid} '))(document.querySelector(`article[data-instance='app-1']`))", "the restarted replica to turn healthy again");
            await WaitAsync(page, "[...document.querySelectorAll('#event-list li')].some(li => li.dataset.type.startsWith('instance.') && li.textContent.includes('app-1'))", "the event stream to show app-1's events");

            await page.SelectOptionAsync("#log-instance", "app/app-2");
            await WaitAsync(page, "document.getElementById('log-tail').textContent.trim().length > 0", "app-2's log tail");

            var deploy = await Stack.ShoalAsync("deploy", "canary", "app", "--version", "2.0.0", "--weight", "20");
            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            await WaitAsync(page, "document.querySelector(`.deployment[data-service='app'] [data-weight='canary']`)?.textContent === '20%'", "the canary's 20% split");
            Assert.Equal("80%", await page.TextContentAsync(".deployment[data-service='app'] [data-weight='stable']"));
            await WaitAsync(page, "!!document.querySelector(`.version[data-version='2.0.0'] article.instance[data-health='ok']`)", "the canary's instance under version 2.0.0");

            await WaitAsync(page, "parseFloat(document.querySelector(`.version[data-version='2.0.0'] [data-metric='rps']`)?.textContent) > 0", "the canary's own req/s");
            var screenshot = await DashboardBrowser.ScreenshotAsync(page, "dashboard.png");
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is not empty");

            await page.SetViewportSizeAsync(390, 844);
            await WaitAsync(page, "document.documentElement.scrollWidth <= window.innerWidth", "the phone layout to fit without sideways scrolling");
            await DashboardBrowser.ScreenshotAsync(page, "dashboard-phone.png");
        }

        Assert.True(problems.Count == 0, "the page logged errors (a CSP violation shows here): " + string.Join("\n", problems));
    }

    [Fact]
    public async Task Dashboard_InChromium_FunctionsSection_ListsThePool_AndItsColdStartAfterAnInvocation()
    {
        await using var stack = await FunctionStacks.StartAsync(FunctionStacks.Bash("echo"), "routes:\n  - { path: /echo, function: echo }\n");
        var (playwright, browser) = await DashboardBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var problems = new List<string>();
        page.PageError += (_, error) => { lock (problems) { problems.Add(error); } };
        page.Response += (_, response) =>
        {
            // A 401 is the page asking before the token is in; anything else at or above 400 is a fault.
            if (response.Status >= 400 && response.Status != 401)
            {
                lock (problems)
                {
                    problems.Add($"{response.Status} {response.Url}");
                }
            }
        };

        await page.GotoAsync(stack.Admin.ToString());
        await page.FillAsync("#token", stack.Token!);
        await page.ClickAsync("#login-form button[type=submit]");
        const string Row = "document.querySelector(`#function-table tr[data-function='echo']`)";
        const string ColdStarts = $"parseInt({Row}?.querySelector(`[data-metric='cold-starts']`)?.textContent)";
        await WaitAsync(page, $"!document.getElementById('functions').hidden && {ColdStarts} === 0", "the echo pool listed with no cold start yet");

        using (var invoked = await stack.Client.PostAsync("/echo", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        }

        // Cold starts from the scraped shoal_function_cold_starts_total, the instance count from /v1/functions.
        await WaitAsync(page, $"{ColdStarts} === 1 && parseInt({Row}.children[2].textContent) === 1", "the cold start and the instance it started");
        Assert.Equal("0", (await page.TextContentAsync("#function-table tr[data-function='echo'] [data-metric='throttles']"))?.Trim());
        await DashboardBrowser.ScreenshotAsync(page, "dashboard-functions.png");
        Assert.True(problems.Count == 0, "the page failed: " + string.Join("\n", problems));
    }

    [Fact]
    public async Task PageCode_Quantiles_MatchPrometheusHistogramQuantile_AndTheEventParserKeepsIdsAndMultiLineData()
    {
        var (playwright, browser) = await DashboardBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();
        await page.GotoAsync(Stack.Admin.ToString());
        // Bucket increases 0.1: 10, 0.5: 20, +Inf: 20 → p50 at the first bound, p75 halfway into the second; a rank in
        // +Inf answers the highest finite bound; no observations → NaN (shown as a dash).
        var results = await page.EvaluateAsync<JsonElement>("""
            import('/ui/js/prom.js').then(p => {
              const b = [{ le: 0.1, count: 10 }, { le: 0.5, count: 20 }, { le: Infinity, count: 20 }];
              const tail = [{ le: 0.1, count: 0 }, { le: 0.5, count: 0 }, { le: Infinity, count: 5 }];
              const s = p.parse('x_total{a="q\\"x",b="y"} 7 1700000000\n# TYPE x counter\n');
              return [p.histogramQuantile(0.5, b), p.histogramQuantile(0.75, b), p.histogramQuantile(0.99, tail),
                      String(p.histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])), p.increase(10, 3), s[0].labels.a, s[0].value];
            })
            """);
        Assert.Equal(0.1, results[0].GetDouble(), 9);
        Assert.Equal(0.3, results[1].GetDouble(), 9);
        Assert.Equal(0.5, results[2].GetDouble(), 9);
        Assert.Equal("NaN", results[3].GetString());
        Assert.Equal(3, results[4].GetDouble());
        Assert.Equal("q\"x", results[5].GetString());
        Assert.Equal(7, results[6].GetDouble());

        // Chunks split anywhere (inside a CRLF too); a comment is skipped; the id survives for Last-Event-ID.
        var events = await page.EvaluateAsync<JsonElement>("""
            import('/ui/js/sse.js').then(m => {
              const seen = [];
              const parser = m.createParser(e => seen.push(e));
              for (const chunk of ['id: 7\nevent: instance.healthy\ndata: {"a":', '1}\ndata: x\n\n: heartbeat\n\nid: 8\r', '\ndata: y\r\n\r\n']) parser.push(chunk);
              return { seen, last: parser.lastEventId };
            })
            """);
        var seen = events.GetProperty("seen").EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("type").GetString(), e.GetProperty("data").GetString())).ToList();
        Assert.Equal<(string?, string?, string?)>([("7", "instance.healthy", "{\"a\":1}\nx"), ("8", "message", "y")], seen);
        Assert.Equal("8", events.GetProperty("last").GetString());
    }

    [Fact]
    public async Task StaticFiles_WithoutToken_AreServedWithCspAndETag_WhileEveryDataEndpointIs401()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Stack.Admin };

        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(@"<script(?![^>]*\ssrc=)[^>]*>", html);

        var etag = page.Headers.ETag!;
        Assert.False(etag.IsWeak);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        foreach (var (path, type) in new[] { ("/ui/js/app.js", "text/javascript"), ("/ui/app.css", "text/css"), ("/ui/vendor/uPlot.iife.min.js", "text/javascript"), ("/ui/vendor/uPlot.LICENSE.txt", "text/plain") })
        {
            using var file = await http.GetAsync(path);
            Assert.True(file.StatusCode == HttpStatusCode.OK, $"{path}: {file.StatusCode}");
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
        }

        using var missing = await http.GetAsync("/ui/js/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        foreach (var path in new[] { "/v1/stack", "/v1/gateway", "/v1/services", "/v1/services/app/deployments", "/v1/events", "/v1/logs?service=app&instance=app-1&tail=10" })
        {
            using var data = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(data.StatusCode == HttpStatusCode.Unauthorized, $"{path} without a token: {data.StatusCode}");
        }

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/v1/stack");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        using var refused = await http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("/..%2f")]
    [InlineData("/%2e%2e/")]
    [InlineData("/%2E%2E/%2e%2e/etc/passwd")]
    [InlineData("/ui/..%2f..%2fShoal.Hosting.dll")]
    [InlineData("/ui/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/ui/js/..%5capp.js")]
    [InlineData("/ui/js/%252e%252e/app.js")]
    [InlineData("/ui/./js/app.js")]
    public async Task StaticHandler_PathTraversal_IsRefusedWith400(string rawTarget)
    {
        var (status, response) = await DashboardRawHttp.GetAsync(Stack.Admin, rawTarget);

        Assert.True(status == 400, $"{rawTarget}: {response}");
        Assert.DoesNotContain("root:", response, StringComparison.Ordinal);
    }

    private async Task<int> ReplicaPidAsync(string id)
    {
        var stack = await Stack.AdminJsonAsync("/v1/stack");
        return stack.GetProperty("services").EnumerateArray().SelectMany(s => s.GetProperty("replicas").EnumerateArray())
            .Single(r => r.GetProperty("id").GetString() == id).GetProperty("pid").GetInt32();
    }

    /// <summary>Polls <paramref name="condition"/> in the page (through the DevTools protocol, which the page's CSP does not bind; Playwright's own WaitForFunction would need eval).</summary>
    private static async Task WaitAsync(IPage page, string condition, string what)
    {
        try
        {
            await Poll.UntilAsync(async () => await page.EvaluateAsync<bool>($"!!({condition})"), s_wait, what, TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException ex)
        {
            var shot = await DashboardBrowser.ScreenshotAsync(page, "failure-" + string.Concat(what.Where(char.IsLetterOrDigit)).ToLower(CultureInfo.InvariantCulture) + ".png");
            throw new TimeoutException($"{ex.Message} Screenshot: {shot}", ex);
        }
    }
}
