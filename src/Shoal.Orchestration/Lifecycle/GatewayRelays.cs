using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>
/// The <see cref="GatewayRelay"/>s of a stack whose gateway listens on loopback: one per bridge address, opened by the
/// first isolated replica with service addresses that needs it and closed by the last (before its bridge goes).
/// </summary>
internal sealed partial class GatewayRelays
{
    private readonly IPEndPoint _gateway;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, (GatewayRelay Relay, int Users)> _relays = [];

    private GatewayRelays(IPEndPoint gateway, ILogger logger, TimeProvider time)
    {
        _gateway = gateway;
        _logger = logger;
        _time = time;
    }

    /// <summary>The relays for a gateway listening at <paramref name="listen"/>, or null when it needs none (it is not on loopback).</summary>
    public static GatewayRelays? For(Uri? listen, ILogger logger, TimeProvider time) =>
        Loopback(listen) is { } address ? new GatewayRelays(new IPEndPoint(address, listen!.Port), logger, time) : null;

    /// <summary>The loopback address <paramref name="listen"/> is on, or null when it is not on loopback.</summary>
    internal static IPAddress? Loopback(Uri? listen)
    {
        if (listen is null)
        {
            return null;
        }

        if (listen.IsLoopback && !IPAddress.TryParse(listen.Host.Trim('[', ']'), out _))
        {
            return IPAddress.Loopback; // localhost
        }

        return IPAddress.TryParse(listen.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address) ? address : null;
    }

    /// <summary>Opens (or shares) the relay on <paramref name="bridgeAddress"/>; null when it cannot listen there (logged).</summary>
    public Lease? Acquire(IPAddress bridgeAddress)
    {
        lock (_lock)
        {
            if (_relays.TryGetValue(bridgeAddress, out var open))
            {
                _relays[bridgeAddress] = (open.Relay, open.Users + 1);
                return new Lease(this, bridgeAddress);
            }

            try
            {
                var relay = new GatewayRelay(new IPEndPoint(bridgeAddress, _gateway.Port), new IPNetwork(Subnet(bridgeAddress), 24), _gateway, _logger, _time);
                _relays[bridgeAddress] = (relay, 1);
                Log.Opened(_logger, relay.Endpoint.ToString(), _gateway.ToString());
                return new Lease(this, bridgeAddress);
            }
            catch (SocketException ex)
            {
                Log.CannotOpen(_logger, new IPEndPoint(bridgeAddress, _gateway.Port).ToString(), ex.Message);
                return null;
            }
        }
    }

    // The bridge's /24 (BridgeNetwork gives each daemon one): its instances, and the host at .1.
    private static IPAddress Subnet(IPAddress bridgeAddress)
    {
        var bytes = bridgeAddress.GetAddressBytes();
        bytes[3] = 0;
        return new IPAddress(bytes);
    }

    private async ValueTask ReleaseAsync(IPAddress bridgeAddress)
    {
        GatewayRelay? closing = null;
        lock (_lock)
        {
            var (relay, users) = _relays[bridgeAddress];
            if (users > 1)
            {
                _relays[bridgeAddress] = (relay, users - 1);
            }
            else
            {
                _relays.Remove(bridgeAddress);
                closing = relay;
            }
        }

        if (closing is not null)
        {
            await closing.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One replica's use of a relay; disposing it closes the relay when it was the last.</summary>
    internal sealed class Lease(GatewayRelays owner, IPAddress bridgeAddress) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.ReleaseAsync(bridgeAddress) : ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1011, LogLevel.Information, "Isolated replicas reach the gateway {Gateway} at {Relay} (a relay on the bridge)")]
        public static partial void Opened(ILogger logger, string relay, string gateway);

        [LoggerMessage(1012, LogLevel.Warning, "Cannot relay {Relay} to the gateway on loopback ({Reason}): isolated replicas cannot reach the services they depend on; let the gateway listen on 0.0.0.0")]
        public static partial void CannotOpen(ILogger logger, string relay, string reason);
    }
}
