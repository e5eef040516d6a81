using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>
/// Relays TCP from the host's address on the isolation bridge (its <c>.1</c>) to a gateway that listens on loopback
/// only, so an isolated replica reaches the gateway at the URL service discovery gave it: its own loopback is its own,
/// and the bridge's <c>.1</c> is the one host address it can reach. It listens on that one address, never on 0.0.0.0,
/// and relays only connections from the bridge's own subnet: the host takes packets for any of its addresses on any
/// interface, so a machine on the LAN that routes 10.213.0.0/16 here could otherwise reach a gateway that trusts
/// loopback clients. Bytes pass unchanged, so the gateway sees a loopback client.
/// </summary>
internal sealed partial class GatewayRelay : IAsyncDisposable
{
    /// <summary>The most connections relayed at once; more are closed at once (two descriptors each).</summary>
    public const int DefaultMaxConnections = 1024;

    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly IPNetwork _clients;
    private readonly int _maxConnections;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly Task _accepting;

    /// <summary>Listens on <paramref name="listen"/> and relays each connection from <paramref name="clients"/> to <paramref name="target"/>.</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public GatewayRelay(IPEndPoint listen, IPNetwork clients, IPEndPoint target, ILogger logger, TimeProvider time, int maxConnections = DefaultMaxConnections)
    {
        _target = target;
        _clients = clients;
        _logger = logger;
        _time = time;
        _maxConnections = maxConnections;
        _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(listen);
            _listener.Listen(512);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Connections being relayed now; internal for tests.</summary>
    internal int Connections => _connections.Count;

    private async Task AcceptLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors or a connection reset before it was accepted: the next one may do.
                Log.AcceptFailed(_logger, Endpoint.ToString(), ex.Message);
                continue;
            }

            if (_connections.Count >= _maxConnections || client.RemoteEndPoint is not IPEndPoint { Address: var from } || !_clients.Contains(from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from))
            {
                client.Dispose();
                continue;
            }

            var relay = RelayAsync(client, token);
            _connections.TryAdd(relay, true);
            _ = relay.ContinueWith(t => _connections.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken token)
    {
        await Task.Yield();
        using (client)
        using (var upstream = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            client.NoDelay = true;
            upstream.NoDelay = true;
            try
            {
                using (var timeout = new CancellationTokenSource(s_connectTimeout, _time))
                using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token))
                {
                    await upstream.ConnectAsync(_target, connecting.Token).ConfigureAwait(false);
                }

                // Each way until its end, passed on as a half-close; a reset or an error on either side ends both.
                await Task.WhenAll(PumpAsync(client, upstream, token), PumpAsync(upstream, client, token)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The gateway is down or the client went away: nothing to relay.
            }
        }

        async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }

                to.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                from.Dispose();
                to.Dispose();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Stops listening and ends every relayed connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1010, LogLevel.Warning, "Gateway relay on {Endpoint}: accept failed ({Reason})")]
        public static partial void AcceptFailed(ILogger logger, string endpoint, string reason);
    }
}
