using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Shoal.Gateway.Configuration;

namespace Shoal.Gateway.Telemetry;

/// <summary>
/// The gateway's first middleware when <c>gateway.access_log</c> is set: starts each request's entry (a request feature
/// the handler notes its attempts on), counts the response bytes, and hands the finished entry to the writer.
/// </summary>
internal sealed class AccessLogMiddleware(AccessLogWriter writer, TimeProvider time)
{
    /// <summary>Registers the writer and middleware when the options ask for an access log.</summary>
    public static void AddTo(IServiceCollection services, GatewayOptions options)
    {
        if (options.AccessLog is { } settings)
        {
            services.AddSingleton(settings);
            services.AddSingleton<AccessLogWriter>();
            services.AddSingleton<AccessLogMiddleware>();
        }
    }

    /// <summary>Puts the middleware in front of everything else when registered.</summary>
    public static void Use(WebApplication app)
    {
        if (app.Services.GetService<AccessLogMiddleware>() is { } middleware)
        {
            app.Use(middleware.InvokeAsync);
        }
    }

    /// <summary>The entry of the request in <paramref name="context"/>, or null when there is no access log.</summary>
    public static AccessLogEntry? Of(HttpContext context) => context.Features.Get<AccessLogEntry>();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var entry = new AccessLogEntry
        {
            Time = time.GetUtcNow(),
            Started = time.GetTimestamp(),
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = request.QueryString.Value ?? string.Empty,
            Protocol = request.Protocol,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
            UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
            Referer = request.Headers.Referer.Count > 0 ? request.Headers.Referer.ToString() : null,
        };
        context.Features.Set(entry);
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        var body = new AccessLogBody(original.Stream);
        var counted = new StreamResponseBodyFeature(body, original);
        context.Features.Set<IHttpResponseBodyFeature>(counted);
        try
        {
            await next(context).ConfigureAwait(false);

            // What went through the counting feature's writer is flushed before the original takes over again.
            await counted.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(original);
            entry.Status = context.Response.StatusCode;
            entry.Bytes = body.Written;
            entry.DurationMs = time.GetElapsedTime(entry.Started).TotalMilliseconds;
            entry.TraceId ??= System.Diagnostics.Activity.Current?.TraceId.ToHexString();
            writer.Write(entry);
        }
    }
}
