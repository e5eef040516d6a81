using System.Net;
using System.Net.Sockets;
using System.Text;
using Shoal.Orchestration.Health;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Health;

/// <summary>The redis template's readiness: PONG passes; an error reply, silence, or a flood of bytes fails with a short reason.</summary>
public sealed class RedisPingProbeTests
{
    // A one-connection server that reads the request and answers with 'reply', then closes.
    private static async Task<HealthProbeResult> ProbeAgainstAsync(byte[] reply, string? password = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = new byte[64];
            _ = await stream.ReadAsync(request);
            try
            {
                await stream.WriteAsync(reply);
            }
            catch (IOException)
            {
                // The probe read what it needed and hung up on the rest of a flood.
            }
        });
        using var probe = new HealthProbe();
        var result = await probe.ProbeAsync(new HealthCheckDefinition { Kind = HealthCheckKind.RedisPing, Timeout = TimeSpan.FromSeconds(5), Password = password }, port, CancellationToken.None);
        await server;
        return result;
    }

    [Fact]
    public async Task Pong_Passes()
    {
        Assert.Equal(new HealthProbeResult(true, "PONG"), await ProbeAgainstAsync("+PONG\r\n"u8.ToArray()));
    }

    [Fact]
    public async Task WithAPassword_AuthThenPong_Passes()
    {
        Assert.Equal(new HealthProbeResult(true, "PONG"), await ProbeAgainstAsync("+OK\r\n+PONG\r\n"u8.ToArray(), "secret"));
    }

    [Fact]
    public async Task WithAWrongPassword_FailsWithTheAuthReply()
    {
        Assert.Equal(
            new HealthProbeResult(false, "AUTH: -WRONGPASS invalid username-password pair or user is disabled."),
            await ProbeAgainstAsync("-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n"u8.ToArray(), "wrong"));
    }

    [Fact]
    public async Task Loading_FailsWithTheServersWords()
    {
        Assert.Equal(
            new HealthProbeResult(false, "PING: -LOADING Redis is loading the dataset in memory"),
            await ProbeAgainstAsync("-LOADING Redis is loading the dataset in memory\r\n"u8.ToArray()));
    }

    [Fact]
    public async Task AFloodWithoutANewline_FailsAfterAShortRead_Truncated()
    {
        var result = await ProbeAgainstAsync(Encoding.ASCII.GetBytes(new string('x', 1 << 20)));

        Assert.False(result.Passed);
        Assert.Equal("PING: " + new string('x', 100) + "…", result.Message);
    }

    [Fact]
    public async Task ClosedWithoutAReply_Fails()
    {
        Assert.Equal(new HealthProbeResult(false, "no reply to PING"), await ProbeAgainstAsync([]));
    }
}
