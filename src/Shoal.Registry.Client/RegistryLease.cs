namespace Shoal.Registry.Client;

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
