using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Shoal.Hosting.Dashboard;

/// <summary>
/// Serves the dashboard's embedded files at <c>/</c> and <c>/ui/…</c> before the admin API's authentication: the page
/// and its scripts are public (they hold no data); every call they make for data carries the admin token.
/// </summary>
internal static class DashboardMiddleware
{
    /// <summary>Scripts and styles only from the listener itself, nothing inline, no framing, no plug-ins.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string AssetPrefix = "/ui/";

    /// <summary>Adds the dashboard in front of the rest of the admin pipeline.</summary>
    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var raw = RawPath(context);
        var serves = path == "/" || path.StartsWith(AssetPrefix, StringComparison.Ordinal);
        // Judged on the raw target: Kestrel has already collapsed "/ui/%2e%2e/x" into "/x", which is not ours.
        var aimed = serves || raw.StartsWith(AssetPrefix, StringComparison.Ordinal) || DashboardPaths.StartsWithDotSegment(raw);
        if (aimed && DashboardPaths.IsTraversal(raw))
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad path", detail: "The dashboard serves its own files only: dot segments and encoded slashes are refused.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!serves || (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var name = path == "/" ? "index.html" : path[AssetPrefix.Length..];
        if (!DashboardAssets.Files.TryGetValue(name, out var asset))
        {
            await Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "The dashboard has no such file.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await SendAsync(context, asset).ConfigureAwait(false);
    });

    private static async Task SendAsync(HttpContext context, DashboardAsset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Names carry no version: the browser keeps a copy but asks each time, and the ETag makes the answer a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || (!tag.IsWeak && tag.Tag.Equals(asset.ETag, StringComparison.Ordinal))))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The target as the client sent it (before Kestrel decoded and collapsed dot segments), without the query.</summary>
    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }
}
