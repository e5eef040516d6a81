using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shoal.Hosting.Logs;

/// <summary>
/// <c>GET /v1/logs?service=S&amp;instance=I&amp;tail=N</c>: the last lines of one instance's output as JSON; with
/// <c>follow=1</c> as Server-Sent Events (<c>event: line</c>, the line as data, the file offset after it as id, so a
/// reconnect with <c>Last-Event-ID</c> continues where it stopped).
/// </summary>
internal static class LogEndpoints
{
    /// <summary>Lines sent when the request names no tail.</summary>
    public const int DefaultTail = 100;

    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder endpoints, string stateDirectory, string stackName, TimeProvider time)
    {
        endpoints.MapGet("/v1/logs", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var (path, error) = LogFiles.Resolve(stateDirectory, stackName, Single(query["service"]), Single(query["instance"]));
            if (error is not null)
            {
                return Results.Problem(statusCode: 400, title: "Invalid log request", detail: error);
            }

            var tail = DefaultTail;
            if (Single(query["tail"]) is { } tailText)
            {
                if (tailText.Length == 0 || !tailText.All(char.IsAsciiDigit))
                {
                    return Results.Problem(statusCode: 400, title: "Invalid log request", detail: "'tail' must be a whole number of lines.");
                }

                // A tail beyond the cap is served capped: the dashboard may ask for "everything" that way.
                tail = tailText.Length > 6 ? LogTail.MaxLines : Math.Min(int.Parse(tailText, CultureInfo.InvariantCulture), LogTail.MaxLines);
            }

            if (!File.Exists(path))
            {
                return Results.Problem(statusCode: 404, title: "No such log", detail: $"'{Single(query["instance"])}' of '{Single(query["service"])}' has no output (yet).");
            }

            var follow = Single(query["follow"]) is "1" or "true";
            if (!follow)
            {
                var (lines, _) = LogTail.Last(path!, tail);
                return Results.Json(new { service = Single(query["service"]), instance = Single(query["instance"]), lines });
            }

            long? resume = null;
            if (context.Request.Headers["Last-Event-ID"] is [{ } lastId])
            {
                if (lastId.Length > 18 || !long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                {
                    return Results.Problem(statusCode: 400, title: "Invalid event id", detail: "A log stream's Last-Event-ID is the file offset it sent last.");
                }

                resume = offset;
            }

            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            return TypedResults.ServerSentEvents(FollowAsync(path!, tail, resume, context.Response, time, stopping, context.RequestAborted));
        });
        return endpoints;
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    private static async IAsyncEnumerable<SseItem<string>> FollowAsync(string path, int tail, long? resume, HttpResponse response, TimeProvider time, CancellationToken stopping, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        var token = ending.Token;
        IReadOnlyList<string> lines;
        long offset;
        (lines, offset) = resume is { } from ? LogTail.After(path, from) : LogTail.Last(path, tail);
        var quiet = time.GetTimestamp();
        while (!token.IsCancellationRequested)
        {
            foreach (var line in lines)
            {
                yield return new SseItem<string>(line, "line") { EventId = offset.ToString(CultureInfo.InvariantCulture) };
            }

            if (lines.Count > 0)
            {
                quiet = time.GetTimestamp();
            }
            else if (time.GetElapsedTime(quiet) >= s_heartbeat)
            {
                // Written while the formatter waits for the next item, so it never interleaves with a line.
                await response.WriteAsync(": heartbeat\n\n", token).ConfigureAwait(false);
                await response.Body.FlushAsync(token).ConfigureAwait(false);
                quiet = time.GetTimestamp();
            }

            try
            {
                await Task.Delay(s_poll, time, token).ConfigureAwait(false);
                (lines, offset) = File.Exists(path) ? LogTail.After(path, offset) : ([], offset);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
