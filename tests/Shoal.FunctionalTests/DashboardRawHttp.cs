using System.Net.Sockets;
using System.Text;

namespace Shoal.FunctionalTests;

/// <summary>One HTTP/1.1 request written byte for byte: HttpClient and browsers normalise dot segments and check the Host before sending.</summary>
internal static class DashboardRawHttp
{
    public static async Task<(int Status, string Response)> GetAsync(Uri server, string rawTarget)
    {
        var response = await SendAsync(server, $"GET {rawTarget} HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nConnection: close\r\n\r\n");
        var statusLine = response.Split("\r\n", 2)[0].Split(' ');
        return (statusLine.Length > 1 && int.TryParse(statusLine[1], out var status) ? status : 0, response);
    }

    /// <summary>Writes <paramref name="request"/> as given (it should ask <c>Connection: close</c>) and reads the whole answer.</summary>
    public static async Task<string> SendAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
