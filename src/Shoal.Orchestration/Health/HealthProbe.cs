using System.Net;
using System.Net.Sockets;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Health;

/// <summary>Probes replicas (on loopback, or at their own address) over HTTP (2xx passes) or TCP (a connect passes), or runs a command (exit 0 passes).</summary>
public sealed class HealthProbe(TimeProvider? time = null) : IHealthProbe, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly HttpMessageInvoker _client = new(Net.UpstreamHandlers.Probe());

    /// <inheritdoc />
    public ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, int port, CancellationToken cancellationToken) =>
        ProbeAsync(check, "127.0.0.1", port, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<HealthProbeResult> ProbeAsync(HealthCheckDefinition check, string address, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        using var timer = new CancellationTokenSource(check.Timeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return check.Kind switch
            {
                HealthCheckKind.Http => await ProbeHttpAsync(address, port, check.Path ?? "/", timeout.Token).ConfigureAwait(false),
                HealthCheckKind.Tcp => await ProbeTcpAsync(address, port, timeout.Token).ConfigureAwait(false),
                HealthCheckKind.Exec => await ExecProbe.ProbeAsync(check, port, timeout.Token).ConfigureAwait(false),
                HealthCheckKind.RedisPing => await RedisPingProbe.ProbeAsync(address, port, check.Password, timeout.Token).ConfigureAwait(false),
                _ => new HealthProbeResult(true, "running"),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthProbeResult(false, $"no answer within {Text.Durations.Format(check.Timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return new HealthProbeResult(false, Describe(ex));
        }
        catch (SocketException ex)
        {
            return new HealthProbeResult(false, ex.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : ex.Message);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task<HealthProbeResult> ProbeHttpAsync(string address, int port, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{address}:{port}{path}"));
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var code = (int)response.StatusCode;
        return new HealthProbeResult(code is >= 200 and < 300, $"HTTP {code}");
    }

    private static async Task<HealthProbeResult> ProbeTcpAsync(string address, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), cancellationToken).ConfigureAwait(false);
        return new HealthProbeResult(true, "tcp connect ok");
    }

    private static string Describe(HttpRequestException ex) =>
        ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : ex.Message;
}
