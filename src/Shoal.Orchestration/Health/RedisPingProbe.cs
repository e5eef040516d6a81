using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shoal.Orchestration.Health;

/// <summary>
/// Readiness of a Redis server: <c>PING</c> in RESP (after <c>AUTH</c> when it has a password), <c>+PONG</c> passes;
/// an error reply (<c>-LOADING</c>, <c>-WRONGPASS</c>) fails with its text.
/// </summary>
internal static class RedisPingProbe
{
    private static readonly byte[] s_ping = "*1\r\n$4\r\nPING\r\n"u8.ToArray();

    public static async Task<HealthProbeResult> ProbeAsync(string address, int port, string? password, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), cancellationToken).ConfigureAwait(false);

        // AUTH and PING in one write: two replies, one line each.
        var request = password is null ? s_ping : [.. Encoding.UTF8.GetBytes($"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(password)}\r\n{password}\r\n"), .. s_ping];
        var lines = password is null ? 1 : 2;
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);

        // A server that sends more than short lines is not a Redis answering PING.
        var buffer = new byte[256];
        var length = 0;
        while (length < buffer.Length && buffer.AsSpan(0, length).Count((byte)'\n') < lines)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        var replies = Encoding.ASCII.GetString(buffer, 0, length).Split("\r\n");
        if (password is not null && replies[0] != "+OK")
        {
            return new HealthProbeResult(false, replies[0].Length == 0 ? "no reply to AUTH" : $"AUTH: {Short(replies[0])}");
        }

        var reply = password is null ? replies[0] : (replies.Length > 1 ? replies[1] : string.Empty);
        return reply == "+PONG"
            ? new HealthProbeResult(true, "PONG")
            : new HealthProbeResult(false, reply.Length == 0 ? "no reply to PING" : $"PING: {Short(reply)}");
    }

    private static string Short(string reply) => reply.Length > 100 ? reply[..100] + "…" : reply;
}
