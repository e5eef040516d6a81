using System.Net;
using System.Net.Sockets;

namespace Shoal.Testing;

/// <summary>Free loopback ports for tests.</summary>
public static class FreePort
{
    private static readonly HashSet<int> s_given = [];

    public static int Next()
    {
        lock (s_given)
        {
            while (true)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                if (s_given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
