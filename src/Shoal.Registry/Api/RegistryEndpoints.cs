using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Shoal.Http;
using Shoal.Registry.Client;
using Shoal.Text;

namespace Shoal.Registry.Api;

/// <summary>
/// The registry's HTTP API on the admin listener: register, deregister, heartbeat, discover (optionally blocking, as
/// Consul's blocking queries), and watch as Server-Sent Events that resume after the last index a client saw.
/// </summary>
public static class RegistryEndpoints
{
    /// <summary>The largest registration body accepted.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The longest a blocking query waits.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>How often an idle event stream sends a comment, so proxies and clients see it is alive.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Maps the registry API over <paramref name="catalog"/>; <paramref name="policy"/> says what registrations may point at (anything when null).</summary>
    public static IEndpointRouteBuilder MapRegistryEndpoints(this IEndpointRouteBuilder endpoints, RegistryCatalog catalog, TimeProvider timeProvider, RegistrationPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        endpoints.MapGet("/v1/services", (HttpResponse response) =>
        {
            var index = catalog.StoreIndex;
            SetIndex(response, index);
            return Results.Json(new RegistryListing
            {
                Index = index,
                Services = catalog.Entries.Values
                    .GroupBy(e => e.Instance.Service, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new ServiceInstances { Index = index, Name = g.Key, Instances = Ordered(g).Select(RegistrationRequest.Describe).ToList() })
                    .ToList(),
            }, RegistryJson.Options);
        });

        endpoints.MapGet("/v1/services/{service}", async (string service, HttpRequest request, HttpResponse response, CancellationToken ct) =>
        {
            if (!TryBlocking(request, out var after, out var wait, out var problem))
            {
                return problem!;
            }

            if (after is { } a)
            {
                // A blocking query: answer once the service changed after the index, or when the wait runs out.
                using var timer = new CancellationTokenSource(wait, timeProvider);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
                try
                {
                    while (true)
                    {
                        // The catalog's index is read before the service's, so a change between the two still wakes us.
                        var seen = catalog.Current.Index;
                        if (catalog.ServiceIndex(service) > a)
                        {
                            break;
                        }

                        await catalog.WaitForChangeAsync(seen, deadline.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // The wait ran out: answer what there is.
                }
            }

            var healthy = string.Equals(request.Query["healthy"], "true", StringComparison.OrdinalIgnoreCase);
            var index = catalog.StoreIndex;
            SetIndex(response, index);
            return Results.Json(new ServiceInstances
            {
                Index = index,
                Name = service,
                Instances = Ordered(catalog.Entries.Values.Where(e => e.Instance.Service == service && (!healthy || e.Instance.IsRoutable)))
                    .Select(RegistrationRequest.Describe).ToList(),
            }, RegistryJson.Options);
        });

        endpoints.MapPut("/v1/services/{service}/instances/{id}", async (string service, string id, HttpRequest request, HttpResponse response, CancellationToken ct) =>
        {
            if (request.ContentLength > MaxBodyBytes)
            {
                return TooLarge();
            }

            InstanceRegistration? body;
            IResult? problem;
            try
            {
                (body, problem) = await JsonBodies.ReadAsync<InstanceRegistration>(request, RegistryJson.Options, "the instance as JSON: {\"address\": \"127.0.0.1\", \"port\": 5000, \"ttl\": \"10s\"}", ct).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge();
            }

            if (body is null)
            {
                return problem!;
            }

            var (registration, problems) = RegistrationRequest.Read(service, id, body, timeProvider.GetUtcNow());
            if (registration is null)
            {
                return Invalid(problems);
            }

            if (policy is not null && await RegistrationScreen.RefusalAsync(policy, registration.Instance, timeProvider, ct).ConfigureAwait(false) is { } refusal)
            {
                return Results.Problem(statusCode: 403, title: "Registration refused", detail: refusal);
            }

            var index = await catalog.PutAsync(registration, ct).ConfigureAwait(false);
            SetIndex(response, index);
            var stored = catalog.Entries.TryGetValue((service, id), out var entry) ? entry : new RegistryEntry(registration, false);
            return Results.Json(RegistrationRequest.Describe(stored), RegistryJson.Options);
        });

        endpoints.MapDelete("/v1/services/{service}/instances/{id}", async (string service, string id, HttpResponse response, CancellationToken ct) =>
        {
            var problems = RegistrationRequest.NameProblems(service, id).ToList();
            if (problems.Count > 0)
            {
                return Invalid(problems);
            }

            var index = await catalog.DeleteAsync(service, id, ct).ConfigureAwait(false);
            if (index is null)
            {
                return NotRegistered(service, id);
            }

            SetIndex(response, index.Value);
            return Results.Json(new { index }, RegistryJson.Options);
        });

        endpoints.MapPut("/v1/services/{service}/instances/{id}/heartbeat", async (string service, string id, HttpResponse response, CancellationToken ct) =>
        {
            var index = await catalog.HeartbeatAsync(service, id, ct).ConfigureAwait(false);
            if (index is null)
            {
                return NotRegistered(service, id);
            }

            SetIndex(response, index.Value);
            return Results.Json(new { index }, RegistryJson.Options);
        });

        // An id with '/' in it would otherwise miss every route and look like an unknown path.
        endpoints.MapMethods("/v1/services/{service}/instances/{**rest}", ["PUT", "DELETE"], (string service, string rest) =>
            Invalid([$"id: '{rest}' contains '/'; an instance id is letters, digits, '.', '_', ':', '@' and '-'"]));

        endpoints.MapGet("/v1/services/{service}/watch", async (string service, HttpContext context) =>
        {
            var request = context.Request;
            if (!TryBlocking(request, out var after, out var wait, out var problem))
            {
                await problem!.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (request.Headers["Last-Event-ID"] is [{ } lastId] && long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                after = last;
            }

            var start = after ?? catalog.StoreIndex;
            if (request.Query.ContainsKey("wait"))
            {
                await LongPollAsync(context, catalog.Store, service, start, wait, timeProvider).ConfigureAwait(false);
            }
            else
            {
                await StreamAsync(context, catalog.Store, service, start, timeProvider).ConfigureAwait(false);
            }
        });

        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context, IRegistryStore store, string service, long start, TimeProvider time)
    {
        var response = context.Response;
        var token = context.RequestAborted;
        var events = store.WatchAsync(start, token).GetAsyncEnumerator(token);
        var next = Next(events);
        try
        {
            // The first step tells a lost history (410) from a good start before any byte of the stream is sent.
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(50), time, token)).ConfigureAwait(false);
            if (next.IsFaulted && next.Exception!.InnerException is RegistryHistoryLostException lost)
            {
                await Results.Problem(statusCode: 410, title: "History no longer kept", detail: lost.Message).ExecuteAsync(context).ConfigureAwait(false);
                await CloseAsync(events, next).ConfigureAwait(false);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            await CloseAsync(events, next).ConfigureAwait(false);
            return;
        }

        if (next.IsFaulted)
        {
            await Results.Problem(statusCode: 503, title: "Registry store unavailable", detail: next.Exception!.InnerException?.Message).ExecuteAsync(context).ConfigureAwait(false);
            await CloseAsync(events, next).ConfigureAwait(false);
            return;
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        SetIndex(response, start);
        await response.WriteAsync($": watching {service} after index {start}\n\n", token).ConfigureAwait(false);
        await response.Body.FlushAsync(token).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var idle = Task.Delay(KeepAlive, time, token);
                if (await Task.WhenAny(next, idle).ConfigureAwait(false) == idle)
                {
                    await response.WriteAsync(": keep-alive\n\n", token).ConfigureAwait(false);
                    await response.Body.FlushAsync(token).ConfigureAwait(false);
                    continue;
                }

                if (!await next.ConfigureAwait(false))
                {
                    return;
                }

                var change = events.Current;
                if (change.Entry.Registration.Instance.Service == service)
                {
                    var e = Describe(change);
                    await response.WriteAsync($"id: {e.Index}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, RegistryJson.Options)}\n\n", token).ConfigureAwait(false);
                    await response.Body.FlushAsync(token).ConfigureAwait(false);
                }

                next = Next(events);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        catch (RegistryHistoryLostException)
        {
            // Ends the stream; the client reconnects and gets the 410 that tells it to read again.
        }
        finally
        {
            await CloseAsync(events, next).ConfigureAwait(false);
        }
    }

    private static async Task LongPollAsync(HttpContext context, IRegistryStore store, string service, long start, TimeSpan wait, TimeProvider time)
    {
        var collected = new List<ServiceEvent>();
        using var timer = new CancellationTokenSource(wait, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timer.Token);
        var events = store.WatchAsync(start, deadline.Token).GetAsyncEnumerator(deadline.Token);
        var next = Next(events);
        var last = start;
        try
        {
            while (await next.ConfigureAwait(false))
            {
                var change = events.Current;
                last = change.Index;
                if (change.Entry.Registration.Instance.Service == service)
                {
                    collected.Add(Describe(change));
                }

                // Take what is already there with the first event, then answer.
                next = Next(events);
                if (collected.Count > 0 && !next.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The wait ran out.
        }
        catch (RegistryHistoryLostException lost)
        {
            await Results.Problem(statusCode: 410, title: "History no longer kept", detail: lost.Message).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        finally
        {
            await deadline.CancelAsync().ConfigureAwait(false);
            await CloseAsync(events, next).ConfigureAwait(false);
        }

        SetIndex(context.Response, last);
        await Results.Json(new { index = last, events = collected }, RegistryJson.Options).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>Lets a pending step finish (its token is cancelled by now) before the watch is disposed.</summary>
    private static async Task CloseAsync(IAsyncEnumerator<RegistryEvent> events, Task<bool> pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RegistryHistoryLostException or System.Net.Http.HttpRequestException or Grpc.Core.RpcException)
        {
            // Expected while stopping.
        }

        await events.DisposeAsync().ConfigureAwait(false);
    }

    private static Task<bool> Next(IAsyncEnumerator<RegistryEvent> events) => events.MoveNextAsync().AsTask();

    private static ServiceEvent Describe(RegistryEvent change) => new()
    {
        Index = change.Index,
        Type = change.Kind.ToString().ToLowerInvariant(),
        Service = change.Entry.Instance.Service,
        Id = change.Entry.Instance.Id,
        Instance = RegistrationRequest.Describe(change.Entry),
    };

    private static bool TryBlocking(HttpRequest request, out long? after, out TimeSpan wait, out IResult? problem)
    {
        after = null;
        wait = TimeSpan.FromMinutes(5);
        problem = null;
        if (request.Query["index"] is [{ } indexText])
        {
            if (!long.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                problem = Results.Problem(statusCode: 400, title: "Invalid query", detail: $"index: '{indexText}' is not a non-negative whole number");
                return false;
            }

            after = index;
        }

        if (request.Query["wait"] is [{ } waitText])
        {
            if (!Durations.TryParse(waitText, out wait) || wait > MaxWait)
            {
                problem = Results.Problem(statusCode: 400, title: "Invalid query", detail: $"wait: '{waitText}' is not a duration up to {Durations.Format(MaxWait)}");
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<RegistryEntry> Ordered(IEnumerable<RegistryEntry> entries) =>
        entries.OrderBy(e => e.Instance.Id, Shoal.Catalog.InstanceIdComparer.Instance);

    private static void SetIndex(HttpResponse response, long index) =>
        response.Headers["X-Shoal-Index"] = index.ToString(CultureInfo.InvariantCulture);

    private static IResult Invalid(IEnumerable<string> problems) =>
        Results.Problem(statusCode: 400, title: "Invalid registration", detail: string.Join("; ", problems));

    private static IResult NotRegistered(string service, string id) =>
        Results.Problem(statusCode: 404, title: "Not registered", detail: $"No instance '{id}' of service '{service}' is registered.");

    private static IResult TooLarge() =>
        Results.Problem(statusCode: 413, title: "Body too large", detail: $"A registration body is at most {MaxBodyBytes / 1024} KiB.");
}
