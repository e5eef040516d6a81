using System.Globalization;
using Shoal.Bench.Engine;
using Shoal.Bench.Results;

namespace Shoal.Bench.Reporting;

/// <summary>A live line on a terminal (rewritten in place), plain lines every few seconds otherwise; always on stderr, so stdout holds the report.</summary>
public sealed class ConsoleProgress(TextWriter output, bool interactive) : IBenchProgress
{
    private TimeSpan _lastPlain;

    /// <summary>Progress for the current console.</summary>
    public static ConsoleProgress ForConsole() => new(Console.Error, !Console.IsErrorRedirected);

    /// <inheritdoc />
    public void StepStarted(BenchStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _lastPlain = TimeSpan.Zero;
        var load = step.Rate is { } rate
            ? $"open loop at {rate.ToString("0.#", CultureInfo.InvariantCulture)}{(step.RateTo is { } to ? $"→{to.ToString("0.#", CultureInfo.InvariantCulture)}" : string.Empty)} req/s over {step.Connections} connections"
            : $"closed loop, {step.Connections} connections";
        var length = step.Requests is { } n ? $"{n} requests" : $"{step.Duration?.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s";
        output.WriteLine($"step {step.Name}: {load}, {length}{(step.Record ? string.Empty : " (warm-up, not recorded)")}");
    }

    /// <inheritdoc />
    public void Tick(BenchStep step, ProgressSnapshot snapshot)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"  [{snapshot.Elapsed.TotalSeconds,5:0.0}s] {snapshot.Completed,9:N0} requests  {snapshot.CurrentRps,9:N0} req/s  p99 {snapshot.P99Ms,8:0.###} ms  errors {snapshot.Errors:N0}");
        if (interactive)
        {
            output.Write("\r" + line + "   ");
        }
        else if (snapshot.Elapsed - _lastPlain >= TimeSpan.FromSeconds(5))
        {
            _lastPlain = snapshot.Elapsed;
            output.WriteLine(line);
        }
    }

    /// <inheritdoc />
    public void StepFinished(BenchStep step, StepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (interactive)
        {
            output.WriteLine();
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  done: {result.Requests:N0} requests in {result.DurationSeconds:0.00}s, {result.Rps:N0} req/s, p50 {result.Latency.P50:0.###} ms, p99 {result.Latency.P99:0.###} ms, errors {result.Errors:N0}"));
    }
}
