using System.Net;
using System.Net.Sockets;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>Hands out free loopback ports, never the same one twice while it is held.</summary>
public sealed class PortAllocator
{
    private readonly HashSet<int> _held = [];
    private readonly Lock _lock = new();

    /// <summary>A port nothing listens on now and that this allocator has not handed out.</summary>
    public int Allocate()
    {
        lock (_lock)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
                if (_held.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("No free loopback port could be found.");
        }
    }

    /// <summary>Gives a port back.</summary>
    public void Release(int port)
    {
        lock (_lock)
        {
            _held.Remove(port);
        }
    }
}
