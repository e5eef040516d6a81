using System.Diagnostics;

namespace Shoal.Samples.App.Diagnostics;

/// <summary>Times every request into <see cref="RequestMetrics"/>.</summary>
public sealed class RequestMetricsMiddleware(RequestDelegate next, RequestMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            metrics.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, failed || context.Response.StatusCode >= 500);
        }
    }
}
