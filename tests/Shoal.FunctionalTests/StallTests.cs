using System.Collections.Concurrent;
using System.Diagnostics;
using Shoal.Testing;
using Xunit.Abstractions;

namespace Shoal.FunctionalTests;

/// <summary>A frozen replica (SIGSTOP) under load, end to end through <c>./shoal up</c>: the gateway's stall detection and hedging.</summary>
[Collection(TimedCollection.Name)]
public sealed class StallTests(ITestOutputHelper output)
{
    private sealed record Sample(TimeSpan Start, TimeSpan Duration, string? Failure, string? ServedBy);

    [Fact]
    public async Task FrozenReplica_TenClientsWithA3sTimeout_NoFailureAndNoRequestSlowerThan1s_FromASecondAfterTheFreeze_ThenItRejoins()
    {
        var up = Stopwatch.StartNew();
        await using var stack = await TestStack.StartAsync(Stacks.SampleApp(replicas: 3));
        var upTook = up.Elapsed;
        var frozen = stack.RecordedPids()["app-1"];
        var clock = Stopwatch.StartNew();
        var samples = new ConcurrentQueue<Sample>();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 10 }) { BaseAddress = stack.Gateway, Timeout = TimeSpan.FromSeconds(3) };
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var start = clock.Elapsed;
                string? failure = null, servedBy = null;
                try
                {
                    using var response = await http.GetAsync("/api/whoami");
                    await response.Content.ReadAsByteArrayAsync();
                    servedBy = response.Headers.TryGetValues("x-shoal-instance", out var values) ? values.First() : null;
                    failure = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    failure = ex.GetType().Name;
                }

                samples.Enqueue(new Sample(start, clock.Elapsed - start, failure, servedBy));
            }
        })).ToList();

        TimeSpan frozenAt;
        try
        {
            // Warm up: the gateway's latency estimate needs answers before it can judge what is slow.
            await Poll.UntilAsync(() => samples.Count(s => s.Failure is null) >= 2000, TimeSpan.FromSeconds(15), "2000 answers before the freeze");
            frozenAt = clock.Elapsed;
            ProcessUtil.Signal(frozen, "-STOP");
            await Poll.UntilAsync(() => clock.Elapsed - frozenAt > TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), "5 s of load on the frozen replica");
        }
        finally
        {
            ProcessUtil.Signal(frozen, "-CONT");
        }

        var thawedAt = clock.Elapsed;
        try
        {
            await Poll.UntilAsync(() => samples.Any(s => s.Start > thawedAt && s.ServedBy == "app-1"), TimeSpan.FromSeconds(8), "app-1 to serve again after the thaw");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        output.WriteLine($"up {upTook.TotalSeconds:0.0}s, frozen at {frozenAt.TotalSeconds:0.0}s, thawed at {thawedAt.TotalSeconds:0.0}s, app-1 back at {clock.Elapsed.TotalSeconds:0.0}s");
        var judged = samples.Where(s => s.Start >= frozenAt + TimeSpan.FromSeconds(1) && s.Start < thawedAt).ToList();
        output.WriteLine($"{judged.Count} requests judged, the slowest {judged.Select(s => s.Duration).DefaultIfEmpty().Max().TotalMilliseconds:0} ms; the slowest since the freeze {samples.Where(s => s.Start >= frozenAt).Max(s => s.Duration).TotalMilliseconds:0} ms");
        Assert.True(judged.Count > 1000, $"only {judged.Count} requests from 1 s after the freeze to the thaw");
        var failed = judged.Where(s => s.Failure is not null).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} failed, e.g. {string.Join(", ", failed.Take(3).Select(f => $"{f.Failure} at {f.Start.TotalSeconds:0.00}s"))}");
        var slow = judged.Where(s => s.Duration > TimeSpan.FromSeconds(1)).ToList();
        Assert.True(slow.Count == 0, $"{slow.Count} took over 1 s, the slowest {slow.Select(s => s.Duration).DefaultIfEmpty().Max().TotalMilliseconds:0} ms (frozen at {frozenAt.TotalSeconds:0.00}s)");
    }
}
