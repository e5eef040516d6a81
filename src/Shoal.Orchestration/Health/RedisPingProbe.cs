using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Orchestration.Health;

/// <summary>Readiness of a Redis server: <c>PING</c> in RESP, <c>+PONG</c> passes; an error reply (<c>-LOADING</c>) fails with its text.</summary>
internal static class RedisPingProbe
{
    private static readonly byte[] s_ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();

    public static async Task<HealthProbeResult> ProbeAsync(string address, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(s_ping, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        // One line is the whole reply; a server that sends more than a short line is not a Redis answering PING.
        var buffer = new byte[256];
        var length = 0;
        while (length < buffer.Length && (length < 2 || buffer[length - 1] != '\n'))
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        var reply = Encoding.ASCII.GetString(buffer, 0, length).TrimEnd();
        return reply == "+PONG"
            ? new HealthProbeResult(true, "PONG")
            : new HealthProbeResult(false, reply.Length == 0 ? "no reply to PING" : $"PING: {(reply.Length > 100 ? reply[..100] + "…" : reply)}");
    }
}
