using System.Net.Http.Json;
using Shoal.Hosting;
using Shoal.Json;
using Shoal.Orchestration.Admin;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Cli.Hosting;

/// <summary>
/// Talks to a running stack's admin API: over its Unix socket when there is one this user may use (no token needed),
/// else over TCP with the admin token, read when each request is sent (a starting daemon writes a new one a moment later).
/// </summary>
internal sealed class AdminClient(Uri admin, Func<string?> token, string? socket) : IDisposable
{
    private readonly HttpClient _http = CreateHttp(admin, token, socket, TimeSpan.FromMinutes(5));

    /// <summary>A client for <paramref name="stack"/>'s daemon.</summary>
    public static AdminClient For(Shoal.Orchestration.Stack.StackDefinition stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        return new AdminClient(stack.Gateway.Admin, AdminTokenFile.Reader(stack.Gateway.AdminToken, stack.StateDirectory), AdminSocket.PathIn(stack.StateDirectory));
    }

    /// <summary>An HttpClient to the admin API: the Unix socket when it answers, else TCP; the bearer token on every request.</summary>
    public static HttpClient CreateHttp(Uri admin, Func<string?> token, string? socket, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var sockets = Net.UpstreamHandlers.ControlPlane(async (context, cancellationToken) =>
            {
                if (socket is not null && File.Exists(socket))
                {
                    try
                    {
                        return await AdminSocket.ConnectAsync(socket, cancellationToken);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        // Another user's socket (permission denied) or a stale file: TCP with the token instead.
                    }
                }

                var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(tcp, ownsSocket: true);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            });
        return new HttpClient(new BearerHandler(token) { InnerHandler = sockets }) { BaseAddress = Reachable(admin), Timeout = timeout };
    }

    /// <summary>Adds <c>Authorization: Bearer TOKEN</c> to requests that carry no credentials of their own.</summary>
    private sealed class BearerHandler(Func<string?> token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null && token() is { Length: > 0 } value)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Where a client on this machine reaches a listener: a wildcard address (0.0.0.0, [::]) is reached on loopback.</summary>
    public static Uri Reachable(Uri listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        return listen.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*"
            ? new UriBuilder(listen) { Host = "127.0.0.1" }.Uri
            : listen;
    }

    /// <summary>Why the last <see cref="TryGetStackAsync"/> got no stack (a refusal, an error status, no connection), or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The stack's snapshot, or null when the admin API did not give one (<see cref="LastFailure"/> says why).</summary>
    public async Task<StackSnapshot?> TryGetStackAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("/v1/stack", cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var detail = ProblemDetail(await response.Content.ReadAsStringAsync(cancellationToken));
                LastFailure = response.StatusCode switch
                {
                    System.Net.HttpStatusCode.Unauthorized => $"the admin API at {_http.BaseAddress} refused this client's token (401 {detail}): the token sent (the stack's admin_token or .shoal/admin.token) is not the running daemon's",
                    System.Net.HttpStatusCode.Forbidden => $"the admin API at {_http.BaseAddress} refused this client's token the stack (403 {detail})",
                    _ => $"the admin API at {_http.BaseAddress} answered {(int)response.StatusCode} {detail}",
                };
                return null;
            }

            LastFailure = null;
            return await response.Content.ReadFromJsonAsync<StackSnapshot>(StackJson.Options, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            LastFailure = $"the admin API at {_http.BaseAddress} does not answer ({ex.Message})";
            return null;
        }
    }

    public async Task<ServiceSnapshot> ScaleAsync(string service, int replicas, CancellationToken cancellationToken)
    {
        using var response = await _http.PutAsJsonAsync($"/v1/stack/services/{Uri.EscapeDataString(service)}/replicas", new { replicas }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new CliException($"scale {service}={replicas}: {(int)response.StatusCode} {ProblemDetail(problem)}");
        }

        return (await response.Content.ReadFromJsonAsync<ServiceSnapshot>(StackJson.Options, cancellationToken))!;
    }

    /// <summary>Sends <paramref name="body"/> (JSON) and returns the answer; a problem answer becomes a <see cref="CliException"/>.</summary>
    public async Task<System.Text.Json.JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("X-Shoal-Actor", $"{Environment.UserName}@{Environment.MachineName} (cli)");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: ShoalJson.Sparse);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"{(int)response.StatusCode} {ProblemDetail(text)}");
        }

        using var doc = System.Text.Json.JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>The functions' pools (<c>GET /v1/functions</c>), or null when the stack serves no functions.</summary>
    public async Task<IReadOnlyList<Shoal.Functions.Pool.PoolSnapshot>?> TryGetFunctionsAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("/v1/functions", cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadFromJsonAsync<List<Shoal.Functions.Pool.PoolSnapshot>>(ShoalJson.Options, cancellationToken)
            : null;
    }

    public void Dispose() => _http.Dispose();

    private static string ProblemDetail(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? json : json;
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }
    }
}
