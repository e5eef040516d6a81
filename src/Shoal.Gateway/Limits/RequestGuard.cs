using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Shoal.Gateway.Configuration;
using Shoal.Gateway.Forwarding;

namespace Shoal.Gateway.Limits;

/// <summary>The first step of every gateway request: stop loops (508), refuse bodies over the limit (413), and stamp the request with this gateway's hop.</summary>
internal sealed class RequestGuard(GatewayOptions options)
{
    private readonly string _self = "shoal-" + options.Id;
    private readonly StringValues _via = "1.1 shoal-" + options.Id;
    private readonly int _maxHops = options.Limits.MaxHops;
    private readonly long? _maxBody = options.Limits.MaxRequestBody;

    // The hop counts a request may leave with (1..max_hops), formatted once rather than on every request.
    private readonly StringValues[] _hopValues = [.. Enumerable.Range(0, options.Limits.MaxHops + 1).Select(n => new StringValues(n.ToString(CultureInfo.InvariantCulture)))];

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        if (HopCheck.Refusal(headers.Via, headers[HopCheck.HopsHeader], _self, _maxHops, out var hops) is { } loop)
        {
            return Problems.WriteAsync(context, StatusCodes.Status508LoopDetected, "Loop detected", loop);
        }

        if (context.Request.ContentLength > _maxBody)
        {
            return TooLargeAsync(context);
        }

        headers.Via = StringValues.Concat(headers.Via, _via);
        headers[HopCheck.HopsHeader] = _hopValues[hops + 1];

        // A chunked body has no length up front: Kestrel stops it at the limit while it is forwarded.
        if (_maxBody is null || context.Request.ContentLength is not null || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return next(context);
        }

        var body = new BodyLimitStream(context.Request.Body);
        context.Request.Body = body;
        return AnswerOverflowAsync(next, context, body);
    }

    private async Task AnswerOverflowAsync(RequestDelegate next, HttpContext context, BodyLimitStream body)
    {
        var exceeded = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // Thrown by whoever read the body: answered below like the forwarder's failure.
            exceeded = true;
        }

        if ((exceeded || body.Exceeded) && !context.Response.HasStarted)
        {
            context.Response.Clear();
            await TooLargeAsync(context).ConfigureAwait(false);
        }
    }

    private Task TooLargeAsync(HttpContext context) =>
        Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The gateway forwards request bodies of at most {_maxBody!.Value.ToString(CultureInfo.InvariantCulture)} bytes (gateway.limits.max_request_body).");
}
