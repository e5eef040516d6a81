namespace Shoal.Bench.Transport;

/// <summary>One client connection that sends requests one after another.</summary>
internal interface IBenchConnection : IAsyncDisposable
{
    /// <summary>Sends one request and reads its whole response.</summary>
    /// <exception cref="BenchTransportException">The request failed in transport.</exception>
    ValueTask<BenchResponse> SendAsync(Requests.BenchRequest request, CancellationToken cancellationToken);
}
