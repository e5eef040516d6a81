using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shoal.Hosting.Events;

/// <summary><c>GET /v1/events</c>: the platform's event stream as Server-Sent Events, resumable by id.</summary>
internal static class EventEndpoints
{
    /// <summary>A quiet stream sends a comment this often, so proxies and load balancers keep the connection open.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Maps the stream. Without <c>Last-Event-ID</c> or <c>?after=</c> it starts with the next event; <c>after=0</c>
    /// replays the whole ring. <c>?types=a,b,family.*</c> filters.
    /// </summary>
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder endpoints, PlatformEventBus bus, TimeProvider time)
    {
        endpoints.MapGet("/v1/events", (HttpContext context) =>
        {
            var request = context.Request;
            var (after, error) = ResumeFrom(request);
            if (error is not null)
            {
                return Results.Problem(statusCode: 400, title: "Invalid event id", detail: error);
            }

            EventTypeFilter? filter = null;
            if (request.Query["types"] is { Count: > 0 } types)
            {
                (filter, var typesError) = types.Count == 1 ? EventTypeFilter.Parse(types[0] ?? "") : (null, "'types' may be given once (a comma-separated list).");
                if (filter is null)
                {
                    return Results.Problem(statusCode: 400, title: "Invalid event types", detail: typesError);
                }
            }

            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var stream = new EventStream(bus, filter, time, HeartbeatInterval);
            return TypedResults.ServerSentEvents(Open(stream, after ?? bus.Last, context.Response, stopping, context.RequestAborted));
        });
        return endpoints;
    }

    private static async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<string>> Open(EventStream stream, long after, HttpResponse response, CancellationToken stopping, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The daemon's shutdown ends every stream at once instead of waiting for the clients to hang up.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        await foreach (var item in stream.ReadAsync(after, ct => HeartbeatAsync(response, ct), ending.Token).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    // Written while the SSE formatter waits for the next item, so it never interleaves with an event.
    private static async Task HeartbeatAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.WriteAsync(": heartbeat\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The id to resume after: <c>Last-Event-ID</c> (what a browser sends on reconnect) before <c>?after=</c>.</summary>
    internal static (long? After, string? Error) ResumeFrom(HttpRequest request)
    {
        var header = request.Headers["Last-Event-ID"];
        var query = request.Query["after"];
        if (header.Count > 1 || query.Count > 1)
        {
            return (null, "Give one Last-Event-ID (or one 'after').");
        }

        var text = header.Count == 1 ? header[0] : query.Count == 1 ? query[0] : null;
        if (text is null)
        {
            return (null, null);
        }

        // Ids are sequence numbers of this daemon: digits only, and never near long's range.
        if (text.Length is 0 or > 18 || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            var shown = text.Length > 32 ? text[..32] + "…" : text;
            return (null, $"'{shown}' is not an event id: ids are whole numbers from 0 to 999999999999999999.");
        }

        return (after, null);
    }
}
