using Shoal.Bench.Engine;
using Shoal.Bench.Tests.Transport;

namespace Shoal.Bench.Tests.Engine;

public sealed class LoadRunnerTests : IAsyncLifetime
{
    private readonly ScriptedServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Run_CountedStepWithSequenceInTheUrl_SendsEachNumberOnceAndRecordsEveryLatency()
    {
        var plan = new BenchPlan
        {
            Url = $"http://127.0.0.1:{_server.EndPoint.Port}/n/{{{{n}}}}",
            Steps = [new BenchStep { Connections = 4, Requests = 300 }],
        };

        var result = await new LoadRunner(TimeProvider.System).RunAsync(plan, new NoProgress(), CancellationToken.None);

        Assert.Equal(300, result.Total.Requests);
        Assert.Equal(300, result.Total.Histogram!.TotalCount);
        Assert.Equal(Enumerable.Range(1, 300), SentNumbers());
    }

    [Fact]
    public async Task Run_TimedStepWithSequenceInTheUrl_NumbersEveryRequestFromOne()
    {
        var plan = new BenchPlan
        {
            Url = $"http://127.0.0.1:{_server.EndPoint.Port}/n/{{{{n}}}}",
            Steps = [new BenchStep { Connections = 3, Duration = TimeSpan.FromMilliseconds(300) }],
        };

        var result = await new LoadRunner(TimeProvider.System).RunAsync(plan, new NoProgress(), CancellationToken.None);

        Assert.Equal(result.Total.Requests, result.Total.Histogram!.TotalCount);
        Assert.Equal(Enumerable.Range(1, (int)result.Total.Requests), SentNumbers());
    }

    [Fact]
    public async Task Run_TimedStepWithAStaticUrl_RecordsOneLatencyPerAnsweredRequest()
    {
        var plan = new BenchPlan
        {
            Url = $"http://127.0.0.1:{_server.EndPoint.Port}/static",
            Steps = [new BenchStep { Connections = 8, Duration = TimeSpan.FromMilliseconds(300) }],
        };

        var result = await new LoadRunner(TimeProvider.System).RunAsync(plan, new NoProgress(), CancellationToken.None);

        Assert.True(result.Total.Requests > 0);
        Assert.Equal(0, result.Total.Errors);
        Assert.Equal(result.Total.Requests, result.Total.Histogram!.TotalCount);
        lock (_server.Requests)
        {
            Assert.Equal(result.Total.Requests, _server.Requests.Count);
        }
    }

    private List<int> SentNumbers()
    {
        lock (_server.Requests)
        {
            return [.. _server.Requests.Select(r => int.Parse(r.Split(' ')[1]["/n/".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order()];
        }
    }
}
