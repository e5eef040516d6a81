using System.Diagnostics;
using HdrHistogram;
using Shoal.Bench.Requests;
using Shoal.Bench.Results;
using Shoal.Bench.Slo;
using Shoal.Bench.Transport;
using Shoal.Bench.Watch;

namespace Shoal.Bench.Engine;

/// <summary>Runs a plan: each step's workers send requests (closed loop, or open loop on a schedule), the latencies go into HdrHistograms.</summary>
public sealed class LoadRunner(TimeProvider time)
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs every step of <paramref name="plan"/>; cancelling stops the current step early and reports what was measured.</summary>
    /// <exception cref="FormatException">The SLO text is invalid.</exception>
    /// <exception cref="BenchTransportException">The target host cannot be resolved.</exception>
    public async Task<BenchResult> RunAsync(BenchPlan plan, IBenchProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        var slos = SloSpec.ParseList(plan.Slo);
        var template = new RequestTemplate(plan.Method, plan.Url, plan.Headers, plan.Body);
        var startedAt = time.GetUtcNow();
        await using var connections = await ConnectionPool.CreateAsync(plan, template.Target, plan.Steps.Max(s => s.Connections), time).ConfigureAwait(false);
        await using var watcher = new ProcessWatcher(plan.WatchPids, TimeSpan.FromMilliseconds(200), time);
        watcher.Start();
        var results = new List<StepResult>();
        foreach (var step in plan.Steps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            progress.StepStarted(step);
            var result = await RunStepAsync(step, template, connections, progress, cancellationToken).ConfigureAwait(false);
            progress.StepFinished(step, result);
            results.Add(result);
        }

        var watch = await watcher.StopAsync().ConfigureAwait(false);
        var total = Merge("total", results.Where((r, i) => plan.Steps[i].Record).ToList());
        return new BenchResult
        {
            Plan = plan,
            StartedAt = startedAt,
            Steps = results,
            Total = total,
            Watch = watch,
            GeneratorCpuSeconds = total.CpuSeconds,
            Slo = slos.Select(s => s.Evaluate(total)).ToList(),
            ErrorSamples = connections.ErrorSamples,
        };
    }

    private async Task<StepResult> RunStepAsync(BenchStep step, RequestTemplate template, ConnectionPool pool, IBenchProgress progress, CancellationToken cancellationToken)
    {
        var frequency = time.TimestampFrequency;
        var cpuBefore = ProcessCpu();
        var tallies = Enumerable.Range(0, step.Connections).Select(_ => new Tally()).ToArray();
        var schedule = step.Rate is { } rate ? new OpenLoopSchedule(rate, step.RateTo ?? rate, step.Duration?.TotalSeconds ?? 0) : null;
        var start = time.GetTimestamp();
        var stopAt = step.Duration is { } duration ? start + (long)(duration.TotalSeconds * frequency) : long.MaxValue;
        long ticket = 0;

        // The shared ticket is one cache line both cores write per request: taken only when something needs the sequence.
        var numbered = schedule is not null || step.Requests is not null || template.Varies;
        using var latencies = new LatencyRecorders();

        async Task WorkAsync(int client)
        {
            var tally = tallies[client];
            var connection = pool[client];
            while (!cancellationToken.IsCancellationRequested)
            {
                var sequence = numbered ? Interlocked.Increment(ref ticket) : 0;
                if (step.Requests is { } n && sequence > n)
                {
                    return;
                }

                long intended;
                if (schedule is not null)
                {
                    // Open loop: the clock starts at the request's intended time, so time spent waiting behind a stall is counted.
                    intended = start + (long)(schedule.OffsetSeconds(sequence - 1) * frequency);
                    if (intended >= stopAt)
                    {
                        return;
                    }

                    // A target slower than the rate leaves a backlog; the step still ends on time, and what fell due but
                    // was never sent is reported as unsent rather than sent late.
                    var now = time.GetTimestamp();
                    if (now >= stopAt)
                    {
                        return;
                    }

                    var wait = intended - now;
                    if (wait * 1000 > frequency)
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds((double)wait / frequency), time, cancellationToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                }
                else
                {
                    intended = time.GetTimestamp();
                    if (intended >= stopAt)
                    {
                        return;
                    }
                }

                try
                {
                    var response = await connection.SendAsync(template.For(sequence, client), CancellationToken.None).ConfigureAwait(false);
                    var micros = (time.GetTimestamp() - intended) * 1_000_000 / frequency;
                    if (tally.Success(response))
                    {
                        latencies.Record(micros);
                    }
                }
                catch (BenchTransportException ex)
                {
                    tally.Error(ex.Kind);
                    pool.NoteError(ex);
                }

                if (step.Think > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(step.Think, time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        var histogram = latencies.Histogram;
        var workers = Task.WhenAll(Enumerable.Range(0, step.Connections).Select(i => Task.Run(() => WorkAsync(i), CancellationToken.None)));
        var lastCompleted = 0L;
        var lastStamp = start;
        while (!workers.IsCompleted)
        {
            await Task.WhenAny(workers, Task.Delay(s_tick, time, CancellationToken.None)).ConfigureAwait(false);
            latencies.Drain();
            var now = time.GetTimestamp();
            var completed = tallies.Sum(t => t.Completed);
            var rps = now > lastStamp ? (completed - lastCompleted) * (double)frequency / (now - lastStamp) : 0;
            progress.Tick(step, new ProgressSnapshot(time.GetElapsedTime(start, now), completed, tallies.Sum(t => t.Errors), rps, histogram.TotalCount > 0 ? histogram.GetValueAtPercentile(99) / 1000.0 : 0));
            lastCompleted = completed;
            lastStamp = now;
        }

        await workers.ConfigureAwait(false);
        latencies.Drain();
        var seconds = time.GetElapsedTime(start).TotalSeconds;
        if (step.Duration is { } planned && !cancellationToken.IsCancellationRequested && schedule is not null)
        {
            // An open-loop step lasts its schedule; requests finishing after it still count, but not as extra time.
            seconds = planned.TotalSeconds;
        }

        // Every request sent has completed (answered or failed) once the workers are done.
        var unsent = schedule is not null && step.Duration is { } scheduled && !cancellationToken.IsCancellationRequested
            ? Math.Max(0, schedule.DueBefore(scheduled.TotalSeconds) - tallies.Sum(t => t.Completed))
            : 0;
        return Build(step.Name, step, tallies, histogram, seconds) with { CpuSeconds = (ProcessCpu() - cpuBefore).TotalSeconds, Unsent = unsent };
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static StepResult Build(string name, BenchStep step, IReadOnlyList<Tally> tallies, HistogramBase histogram, double seconds)
    {
        var status = new Dictionary<int, long>();
        var kinds = new Dictionary<ErrorKind, long>();
        var distribution = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tally in tallies)
        {
            for (var code = 0; code < tally.Status.Length; code++)
            {
                if (tally.Status[code] > 0)
                {
                    status[code] = status.GetValueOrDefault(code) + tally.Status[code];
                }
            }

            foreach (var kind in Enum.GetValues<ErrorKind>())
            {
                if (tally.ErrorKinds[(int)kind] > 0)
                {
                    kinds[kind] = kinds.GetValueOrDefault(kind) + tally.ErrorKinds[(int)kind];
                }
            }

            foreach (var (key, count) in tally.Distribution)
            {
                distribution[key] = distribution.GetValueOrDefault(key) + count;
            }
        }

        var errors = kinds.Values.Sum();
        return new StepResult
        {
            Name = name,
            Model = step.Model,
            Connections = step.Connections,
            Rate = step.Rate,
            DurationSeconds = seconds,
            Requests = tallies.Sum(t => t.Completed),
            Errors = errors,
            Ok = tallies.Sum(t => t.Completed) - errors,
            Latency = LatencyFigures.From(histogram),
            StatusCodes = status,
            ErrorsByKind = kinds,
            Distribution = distribution,
            Histogram = histogram,
        };
    }

    private static StepResult Merge(string name, IReadOnlyList<StepResult> steps)
    {
        var histogram = LatencyRecorders.NewHistogram();
        foreach (var step in steps)
        {
            if (step.Histogram is not null)
            {
                histogram.Add(step.Histogram);
            }
        }

        static Dictionary<TKey, long> Sum<TKey>(IEnumerable<IReadOnlyDictionary<TKey, long>> maps)
            where TKey : notnull
        {
            var sum = new Dictionary<TKey, long>();
            foreach (var map in maps)
            {
                foreach (var (key, count) in map)
                {
                    sum[key] = sum.GetValueOrDefault(key) + count;
                }
            }

            return sum;
        }

        return new StepResult
        {
            Name = name,
            Model = steps.Select(s => s.Model).Distinct().Count() == 1 ? steps[0].Model : "mixed",
            Connections = steps.Count == 0 ? 0 : steps.Max(s => s.Connections),
            Rate = steps.Count == 1 ? steps[0].Rate : null,
            DurationSeconds = steps.Sum(s => s.DurationSeconds),
            CpuSeconds = steps.Sum(s => s.CpuSeconds),
            Requests = steps.Sum(s => s.Requests),
            Unsent = steps.Sum(s => s.Unsent),
            Ok = steps.Sum(s => s.Ok),
            Errors = steps.Sum(s => s.Errors),
            Latency = LatencyFigures.From(histogram),
            StatusCodes = Sum(steps.Select(s => s.StatusCodes)),
            ErrorsByKind = Sum(steps.Select(s => s.ErrorsByKind)),
            Distribution = Sum(steps.Select(s => s.Distribution)),
            Histogram = histogram,
        };
    }
}
