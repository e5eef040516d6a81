using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Shoal.Registry.Client;

/// <summary>Registers, discovers and watches instances through a Shoal registry's HTTP API.</summary>
/// <param name="http">A client whose <see cref="HttpClient.BaseAddress"/> is the admin listener, e.g. <c>http://127.0.0.1:9901</c>.</param>
/// <param name="token">The admin bearer token, when the registry requires one.</param>
/// <param name="timeProvider">The clock heartbeats and reconnects wait on.</param>
public sealed class RegistryClient(HttpClient http, string? token = null, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

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
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var stream = OpenWatchAsync(service, last, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    ServiceEvent? next;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        next = stream.Current;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    failures = 0;
                    last = next.Index;
                    yield return next;
                }
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            // Reconnect with a short, growing pause so a restarting registry is not hammered.
            failures++;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * (1 << Math.Min(failures, 6)))), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<ServiceEvent> OpenWatchAsync(string service, long afterIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v1/services/{Uri.EscapeDataString(service)}/watch?index={afterIndex}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Gone or HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        }

        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(body);
        string? data = null;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].TrimStart();
            }
            else if (line.Length == 0 && data is not null)
            {
                yield return JsonSerializer.Deserialize<ServiceEvent>(data, RegistryJson.Options)!;
                data = null;
            }
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

/// <summary>The registry refused a request; <see cref="Exception.Message"/> is its problem detail.</summary>
public sealed class RegistryException(int status, string detail) : Exception($"{status}: {detail}")
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
}

/// <summary>Keeps an instance registered with heartbeats until disposed, then deregisters it.</summary>
public sealed class RegistryLease : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly RegistryClient _client;
    private readonly string _service;
    private readonly string _id;

    internal RegistryLease(RegistryClient client, string service, string id, InstanceRegistration registration, TimeSpan every, TimeProvider time)
    {
        _client = client;
        _service = service;
        _id = id;
        _loop = HeartbeatAsync(registration, every, time, _stop.Token);
    }

    /// <summary>How many heartbeats have failed in a row (the registry unreachable).</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Stops the heartbeats and deregisters the instance.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await _client.DeregisterAsync(_service, _id).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            // The registry is gone; the TTL removes the instance.
        }
    }

    private async Task HeartbeatAsync(InstanceRegistration registration, TimeSpan every, TimeProvider time, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, token).ConfigureAwait(false);
                if (!await _client.HeartbeatAsync(_service, _id, token).ConfigureAwait(false))
                {
                    await _client.RegisterAsync(_service, _id, registration, token).ConfigureAwait(false);
                }

                ConsecutiveFailures = 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or RegistryException or TaskCanceledException)
            {
                ConsecutiveFailures++;
            }
        }
    }
}
