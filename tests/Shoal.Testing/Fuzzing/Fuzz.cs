using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;

namespace Shoal.Testing.Fuzzing;

/// <summary>
/// Runs a fuzz target over generated inputs: a fixed seed and 1,000 cases in the normal suite, 10,000 when
/// <c>SHOAL_FUZZ=1</c> (<c>./test.sh --fuzz</c>). The same seed gives the same inputs, so a failure is reproducible.
/// </summary>
public static class Fuzz
{
    /// <summary>The xunit trait that marks fuzz tests (<c>--filter Category=Fuzz</c>).</summary>
    public const string Category = "Fuzz";

    /// <summary>How many cases each target runs.</summary>
    public static int Cases => Environment.GetEnvironmentVariable("SHOAL_FUZZ") == "1" ? 10_000 : 1_000;

    /// <summary>
    /// Generates <see cref="Cases"/> inputs from <paramref name="seed"/> and calls <paramref name="check"/> with each. Every
    /// case runs; failures are grouped by exception type and throwing method, and reported with their count and the
    /// shortest input of each group (as a C# literal when it is text), for a regression test to keep.
    /// </summary>
    public static void Run<T>(Gen<T> gen, ulong seed, Action<T> check, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        RunAsync(gen, seed, input =>
        {
            check(input);
            return Task.CompletedTask;
        }, log).GetAwaiter().GetResult();
    }

    /// <summary>Async <see cref="Run{T}"/>.</summary>
    public static async Task RunAsync<T>(Gen<T> gen, ulong seed, Func<T, Task> check, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(check);
        var pcg = new PCG(1, seed);
        var started = Stopwatch.GetTimestamp();
        var failures = new Dictionary<string, (int Count, int Case, string Input, Exception Error)>(StringComparer.Ordinal);
        for (var i = 0; i < Cases; i++)
        {
            var input = gen.Generate(pcg, null, out _);
            try
            {
                await check(input);
            }
            catch (Exception ex)
            {
                var where = ex.GetType().Namespace?.StartsWith("Xunit", StringComparison.Ordinal) == true ? ex.Message.Split('\n')[0] : ex.GetType().Name + " at " + FirstFrame(ex);
                var printed = Print(input);
                failures[where] = failures.TryGetValue(where, out var seen)
                    ? (seen.Count + 1, printed.Length < seen.Input.Length ? i : seen.Case, printed.Length < seen.Input.Length ? printed : seen.Input, printed.Length < seen.Input.Length ? ex : seen.Error)
                    : (1, i, printed, ex);
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"{Cases} cases in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0}s, {failures.Values.Sum(f => f.Count)} failed");
        log?.Invoke(summary);
        if (failures.Count > 0)
        {
            var report = new StringBuilder(summary).Append(CultureInfo.InvariantCulture, $" (seed {seed}):");
            foreach (var (where, f) in failures.OrderByDescending(f => f.Value.Count))
            {
                report.AppendLine().Append(CultureInfo.InvariantCulture, $"- {f.Count} x {where}: {f.Error.Message.Split('\n')[0]}")
                    .AppendLine().Append(CultureInfo.InvariantCulture, $"  shortest (case {f.Case}): {f.Input}");
            }

            throw new FuzzFailureException(report.ToString(), failures.Values.First().Error);
        }
    }

    private static string FirstFrame(Exception ex) =>
        ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal))?[3..].Split(" in ")[0] ?? "?";

    /// <summary>An input as a test may quote it: text as an escaped C# string literal, cut after 4,000 characters.</summary>
    public static string Print<T>(T input)
    {
        var text = input switch
        {
            string s => s,
            ValueTuple<string, string> pair => $"{pair.Item1}\n----\n{pair.Item2}",
            _ => input?.ToString() ?? "null",
        };
        var builder = new StringBuilder("\"");
        foreach (var c in text.Length > 4000 ? text[..4000] : text)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) || c > '\u007e' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => c.ToString(),
            });
        }

        return builder.Append(text.Length > 4000 ? $"\" (+{text.Length - 4000} more)" : "\"").ToString();
    }
}
