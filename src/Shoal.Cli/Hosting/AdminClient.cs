using System.Net.Http.Json;
using Shoal.Orchestration.Admin;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Cli.Hosting;

/// <summary>Talks to a running stack's admin API.</summary>
internal sealed class AdminClient(Uri admin, string? token = null) : IDisposable
{
    private readonly HttpClient _http = Create(Reachable(admin), token);

    /// <summary>The admin token the client sends, if any.</summary>
    public string? Token => token;

    private static HttpClient Create(Uri admin, string? token)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = admin, Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(token))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    /// <summary>Where a client on this machine reaches a listener: a wildcard address (0.0.0.0, [::]) is reached on loopback.</summary>
    public static Uri Reachable(Uri listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        return listen.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*"
            ? new UriBuilder(listen) { Host = "127.0.0.1" }.Uri
            : listen;
    }

    public async Task<StackSnapshot?> TryGetStackAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _http.GetFromJsonAsync<StackSnapshot>("/v1/stack", StackJson.Options, cancellationToken);
        }
        catch (HttpRequestException)
        {
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
            request.Content = JsonContent.Create(body, options: new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
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
            ? await response.Content.ReadFromJsonAsync<List<Shoal.Functions.Pool.PoolSnapshot>>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web), cancellationToken)
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

/// <summary>A failure the CLI reports as one line, without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
