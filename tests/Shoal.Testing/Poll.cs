using System.Diagnostics;

namespace Shoal.Testing;

/// <summary>Waits for a condition by polling with a deadline (never a bare sleep).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (watch.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                last = ex;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for {what}.{(last is null ? string.Empty : " Last error: " + last.Message)}");
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
