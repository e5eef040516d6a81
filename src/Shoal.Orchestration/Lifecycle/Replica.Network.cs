using Shoal.Processes;
using Shoal.Processes.Networking;

namespace Shoal.Orchestration.Lifecycle;

internal sealed partial class Replica
{
    private NetworkLease? _lease;
    private GatewayRelays.Lease? _relay;

    /// <summary>Where the gateway and the probes reach the replica: loopback, or its own address with <c>network: isolated</c>.</summary>
    private string Address => _lease?.Address.ToString() ?? "127.0.0.1";

    /// <summary>Runs the replica, with <c>network: isolated</c> at one address for its whole life (restarts included).</summary>
    private async Task RunInNetworkAsync()
    {
        if (Service.Runtime.Network == NetworkMode.Isolated)
        {
            try
            {
                _lease = BridgeNetwork.Shared.Acquire();

                // Its service addresses name the gateway, which it cannot reach on the host's loopback: a relay on the bridge.
                if (_template.Addresses is not null)
                {
                    _relay = _template.Relays?.Acquire(_lease.HostAddress);
                }
            }
            catch (ProcessStartException ex)
            {
                Log.StartFailed(_context.Logger, Id, ex.Message);
                Update(s => s with { State = ReplicaState.Failed, Message = ex.Message });
                await PublishAsync().ConfigureAwait(false);
                return;
            }
        }

        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        finally
        {
            // The relay listens on the bridge's address: closed before the last lease deletes the bridge.
            if (_relay is not null)
            {
                await _relay.DisposeAsync().ConfigureAwait(false);
            }

            _lease?.Dispose();
        }
    }
}
