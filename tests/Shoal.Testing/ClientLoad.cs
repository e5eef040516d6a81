using System.Collections.Concurrent;

namespace Shoal.Testing;

/// <summary>N clients looping on a request for a while, counting successes, failures and who served them.</summary>
public sealed class ClientLoad
{
    public ConcurrentQueue<string> Failures { get; } = new();

    public ConcurrentDictionary<string, int> ServedBy { get; } = new(StringComparer.Ordinal);

    public int Succeeded => _succeeded;

    private int _succeeded;

    public static async Task<ClientLoad> RunAsync(Uri baseAddress, string path, int clients, TimeSpan duration, Func<Task>? during = null, Func<HttpRequestMessage>? request = null, Action<string>? onFailure = null)
    {
        var load = new ClientLoad();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = clients }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource(duration);
        var loops = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var message = request?.Invoke() ?? new HttpRequestMessage(HttpMethod.Get, path);
                    using var response = await http.SendAsync(message);
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref load._succeeded);
                        if (response.Headers.TryGetValues("x-shoal-instance", out var values))
                        {
                            load.ServedBy.AddOrUpdate(values.First(), 1, (_, n) => n + 1);
                        }
                    }
                    else
                    {
                        var failure = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                        load.Failures.Enqueue(failure);
                        onFailure?.Invoke(failure);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    load.Failures.Enqueue(ex.GetType().Name + ": " + ex.Message);
                    onFailure?.Invoke(ex.Message);
                }
            }
        })).ToList();
        if (during is not null)
        {
            await during();
        }

        await Task.WhenAll(loops);
        return load;
    }
}
