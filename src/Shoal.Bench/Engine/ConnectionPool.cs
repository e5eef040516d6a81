using System.Net;
using System.Net.Sockets;
using Shoal.Bench.Transport;

namespace Shoal.Bench.Engine;

/// <summary>The connections of a run, one per worker slot, kept across steps.</summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly List<IBenchConnection> _connections = [];
    private readonly Func<IBenchConnection> _factory;
    private readonly HttpMessageInvoker? _invoker;
    private readonly DeadlineWatchdog? _watchdog;

    private ConnectionPool(Func<IBenchConnection> factory, HttpMessageInvoker? invoker, DeadlineWatchdog? watchdog)
    {
        _factory = factory;
        _invoker = invoker;
        _watchdog = watchdog;
    }

    /// <summary>The first message of each error kind, for the report.</summary>
    public Dictionary<ErrorKind, string> ErrorSamples { get; } = [];

    public IBenchConnection this[int index]
    {
        get
        {
            lock (_connections)
            {
                while (_connections.Count <= index)
                {
                    _connections.Add(_factory());
                }

                return _connections[index];
            }
        }
    }

    public static async Task<ConnectionPool> CreateAsync(BenchPlan plan, Uri target, int connections, TimeProvider time)
    {
        if (plan.Http2 || target.Scheme == Uri.UriSchemeHttps)
        {
            var invoker = HttpClientConnection.CreateInvoker(connections);
            var version = plan.Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
            return new ConnectionPool(() => new HttpClientConnection(invoker, version, plan.Timeout, plan.Count, time), invoker, null);
        }

        var endPoint = await ResolveAsync(target).ConfigureAwait(false);
        var watchdog = new DeadlineWatchdog(time);
        return new ConnectionPool(() => new Http1Connection(endPoint, plan.Timeout, plan.Count, time, watchdog), null, watchdog);
    }

    public void NoteError(BenchTransportException error)
    {
        lock (ErrorSamples)
        {
            ErrorSamples.TryAdd(error.Kind, error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _invoker?.Dispose();
        if (_watchdog is not null)
        {
            await _watchdog.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IPEndPoint> ResolveAsync(Uri target)
    {
        if (IPAddress.TryParse(target.Host.Trim('[', ']'), out var address))
        {
            return new IPEndPoint(address, target.Port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host).ConfigureAwait(false);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
            return new IPEndPoint(chosen, target.Port);
        }
        catch (Exception ex) when (ex is SocketException or InvalidOperationException)
        {
            throw new BenchTransportException(ErrorKind.Other, $"cannot resolve '{target.Host}': {ex.Message}", ex);
        }
    }
}
