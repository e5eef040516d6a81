using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Shoal.Gateway.Tests.Forwarding;

/// <summary>
/// Stands in for YARP's forwarder, whose attempt timeout runs on the real clock: sends the request through the client the
/// handler gives it (the attempt invoker) under the attempt timeout on the fake clock, copies the status, and maps
/// failures to a <see cref="ForwarderError"/> and a status as YARP does.
/// </summary>
internal sealed class FakeForwarder(TimeProvider time) : IHttpForwarder
{
    /// <summary>The attempt timeout of every attempt, in order.</summary>
    public ConcurrentQueue<TimeSpan?> Timeouts { get; } = new();

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public async ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        Timeouts.Enqueue(requestConfig.ActivityTimeout);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(destinationPrefix + context.Request.Path + context.Request.QueryString));
        if (context.Request.ContentLength > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
        }

        using var timeout = new CancellationTokenSource(requestConfig.ActivityTimeout ?? TimeSpan.FromSeconds(100), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted, cancellationToken);
        try
        {
            using var response = await httpClient.SendAsync(request, linked.Token);
            context.Response.StatusCode = (int)response.StatusCode;
            return ForwarderError.None;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            return Fail(context, ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout, ex);
        }
        catch (OperationCanceledException ex)
        {
            return Fail(context, ForwarderError.RequestCanceled, StatusCodes.Status502BadGateway, ex);
        }
        catch (HttpRequestException ex)
        {
            return Fail(context, ForwarderError.Request, StatusCodes.Status502BadGateway, ex);
        }
    }

    private static ForwarderError Fail(HttpContext context, ForwarderError error, int status, Exception exception)
    {
        context.Response.StatusCode = status;
        context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception));
        return error;
    }

    private sealed class ErrorFeature(ForwarderError error, Exception exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}
