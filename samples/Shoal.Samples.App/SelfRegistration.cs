using Microsoft.AspNetCore.Hosting.Server;
using Shoal.Registry.Client;

namespace Shoal.Samples.App;

/// <summary>
/// Run outside a stack with <c>SHOAL_REGISTRY_URL</c> set, the app registers itself with a TTL, renews it while it
/// runs and deregisters when it stops (<c>SHOAL_REGISTRY_TTL</c> as hh:mm:ss, default 10 s).
/// </summary>
internal sealed class SelfRegistration(IServer server, IHostApplicationLifetime lifetime, InstanceIdentity identity, ILogger<SelfRegistration> logger) : IHostedService
{
    private RegistryLease? _lease;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = RegisterAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }
    }

    private async Task RegisterAsync()
    {
        var registry = new Uri(Environment.GetEnvironmentVariable("SHOAL_REGISTRY_URL")!);
        var ttl = TimeSpan.TryParse(Environment.GetEnvironmentVariable("SHOAL_REGISTRY_TTL"), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : TimeSpan.FromSeconds(10);
        var address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).First();
        try
        {
            _lease = await RegistryClient.Create(registry).RegisterWithHeartbeatsAsync(identity.Service, identity.InstanceId, new InstanceRegistration
            {
                Address = address.Host,
                Port = address.Port,
                Version = identity.Version,
                Metadata = new() { ["health.path"] = "/api/health" },
            }, ttl);
            logger.LogWarning("Registered {Service}/{Id} at {Address} with {Registry} (ttl {Ttl})", identity.Service, identity.InstanceId, address, registry, ttl);
        }
        catch (Exception ex) when (ex is HttpRequestException or RegistryException)
        {
            logger.LogError("Registering with {Registry} failed: {Reason}", registry, ex.Message);
        }
    }
}
