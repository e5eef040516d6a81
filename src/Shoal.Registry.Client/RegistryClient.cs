using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace Shoal.Registry.Client;

/// <summary>Registers, discovers and watches instances through a Shoal registry's HTTP API.</summary>
/// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the admin listener, e.g. <c>http://127.0.0.1:9901</c>.</param>
/// <param name="token">The admin bearer token, when the registry requires one.</param>
/// <param name="timeProvider">The clock heartbeats and reconnects wait on.</param>
public sealed class RegistryClient(HttpClient http, string? token = null, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    // Reconnects a dropped watch until cancelled, pausing 100 ms, then twice as long each time up to 2 s, so a
    // restarting registry is not hammered. Polly directly: this assembly takes no other Shoal assembly (see the csproj).
    private readonly ResiliencePipeline<IAsyncEnumerator<ServiceEvent>> _reconnect = new ResiliencePipelineBuilder<IAsyncEnumerator<ServiceEvent>> { TimeProvider = timeProvider ?? TimeProvider.System }
        .AddRetry(new RetryStrategyOptions<IAsyncEnumerator<ServiceEvent>>
        {
            MaxRetryAttempts = int.MaxValue,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(2),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsConnectionLoss(ex) && !args.Context.CancellationToken.IsCancellationRequested),
        })
        .Build();

    /// <summary>Creates a client for <paramref name="registry"/>, reading the token from <c>SHOAL_ADMIN_TOKEN</c>.</summary>
    public static RegistryClient Create(Uri registry) =>
        new(new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = registry, Timeout = Timeout.InfiniteTimeSpan }, Environment.GetEnvironmentVariable("SHOAL_ADMIN_TOKEN"));

    /// <summary>Registers or updates an instance; returns the registry index of the change.</summary>
    public async Task<RegisteredInstance> RegisterAsync(string service, string id, InstanceRegistration registration, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Put, InstancePath(service, id));
        request.Content = JsonContent.Create(registration, options: RegistryJson.Options);
        return await SendAsync<RegisteredInstance>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers an instance and keeps renewing its TTL until the returned lease is disposed, which deregisters it.</summary>
    /// <remarks>Heartbeats go out three times per TTL; a heartbeat that finds the instance gone registers it again.</remarks>
    public async Task<RegistryLease> RegisterWithHeartbeatsAsync(string service, string id, InstanceRegistration registration, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        registration = registration with { Ttl = RegistryJson.Duration(ttl) };
        await RegisterAsync(service, id, registration, cancellationToken).ConfigureAwait(false);
        return new RegistryLease(this, service, id, registration, ttl / 3, _time);
    }

    /// <summary>Renews an instance's TTL; false when the registry no longer knows it.</summary>
    public async Task<bool> HeartbeatAsync(string service, string id, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Put, InstancePath(service, id) + "/heartbeat");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes an instance; false when it was not registered.</summary>
    public async Task<bool> DeregisterAsync(string service, string id, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Delete, InstancePath(service, id));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every service and instance.</summary>
    public async Task<RegistryListing> ListAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, "/v1/services");
        return await SendAsync<RegistryListing>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The instances of one service; only those that may take traffic when <paramref name="healthyOnly"/>.</summary>
    public async Task<ServiceInstances> DiscoverAsync(string service, bool healthyOnly = false, CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Get, $"/v1/services/{Uri.EscapeDataString(service)}{(healthyOnly ? "?healthy=true" : "")}");
        return await SendAsync<ServiceInstances>(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The changes to <paramref name="service"/> after <paramref name="afterIndex"/>, then as they happen. A dropped
    /// connection is resumed after the last index seen, so no event is missed or repeated.
    /// </summary>
    public async IAsyncEnumerable<ServiceEvent> WatchAsync(string service, long afterIndex = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = afterIndex;
        while (!cancellationToken.IsCancellationRequested)
        {
            var stream = await _reconnect.ExecuteAsync(token => FirstEventAsync(service, last, token), cancellationToken).ConfigureAwait(false);
            try
            {
                do
                {
                    last = stream.Current.Index;
                    yield return stream.Current;
                }
                while (await NextAsync(stream, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static bool IsConnectionLoss(Exception ex) => ex is HttpRequestException or IOException;

    /// <summary>The next event, or false when the stream ended or the connection dropped (the watch then reconnects).</summary>
    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<ServiceEvent> stream, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionLoss(ex) && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Opens the watch and waits for its first event; a stream that ends before one counts as a failed connection.</summary>
    private async ValueTask<IAsyncEnumerator<ServiceEvent>> FirstEventAsync(string service, long afterIndex, CancellationToken cancellationToken)
    {
        var stream = OpenWatchAsync(service, afterIndex, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            if (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                return stream;
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await stream.DisposeAsync().ConfigureAwait(false);
        throw new IOException("The registry closed the watch before its first event.");
    }

    private async IAsyncEnumerable<ServiceEvent> OpenWatchAsync(string service, long afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/services/{Uri.EscapeDataString(service)}/watch?index={afterIndex}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (afterIndex > 0)
        {
            // The event id is the registry index: a reconnect says where it stopped the way any SSE client would.
            request.Headers.TryAddWithoutValidation("Last-Event-ID", afterIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Gone or HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        // The BCL's parser follows the SSE spec: multi-line data joined, ids, comments (keep-alives) skipped.
        var parser = SseParser.Create(body, static (_, data) => JsonSerializer.Deserialize<ServiceEvent>(data, RegistryJson.Options)!);
        await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return item.Data;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(RegistryJson.Options, cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var detail = text;
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { } s)
            {
                detail = s;
            }
        }
        catch (JsonException)
        {
            // Not a problem document: show the body as it is.
        }

        throw new RegistryException((int)response.StatusCode, detail);
    }

    private static string InstancePath(string service, string id) => $"/v1/services/{Uri.EscapeDataString(service)}/instances/{Uri.EscapeDataString(id)}";
}
