using System.Collections.Concurrent;
using System.Net;

namespace Shoal.Gateway.Tests.Forwarding;

/// <summary>Instances in memory, told by port how to behave: answer with a status, never answer, or refuse the connection.</summary>
internal sealed class InMemoryUpstreams : HttpMessageHandler
{
    private readonly ConcurrentDictionary<int, Func<CancellationToken, Task<HttpResponseMessage>>> _behaviours = new();

    /// <summary>Every request sent, in order.</summary>
    public ConcurrentQueue<(int Port, string Method, CancellationToken Token)> Sent { get; } = new();

    public static Func<CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status) =>
        _ => Task.FromResult(new HttpResponseMessage(status));

    /// <summary>Never answers: the request waits until it is cancelled.</summary>
    public static Task<HttpResponseMessage> Hang(CancellationToken token)
    {
        var never = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => never.TrySetCanceled(token));
        return never.Task;
    }

    /// <summary>Nothing listens: the connect fails.</summary>
    public static Task<HttpResponseMessage> Refuse(CancellationToken token) =>
        Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1)"));

    public void On(int port, Func<CancellationToken, Task<HttpResponseMessage>> behaviour) => _behaviours[port] = behaviour;

    public int SentTo(int port) => Sent.Count(s => s.Port == port);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var port = request.RequestUri!.Port;
        Sent.Enqueue((port, request.Method.Method, cancellationToken));
        return _behaviours.TryGetValue(port, out var behaviour) ? behaviour(cancellationToken) : Answer(HttpStatusCode.OK)(cancellationToken);
    }
}
