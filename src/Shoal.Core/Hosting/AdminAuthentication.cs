using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Shoal.Hosting;

/// <summary>
/// Bearer-token protection of the admin API's mutations. Reads stay open; every other method needs
/// <c>Authorization: Bearer TOKEN</c> once a token is configured, and an admin listener off loopback must have one.
/// </summary>
public static class AdminAuthentication
{
    /// <summary>The environment variable that sets (and overrides) the admin token.</summary>
    public const string TokenVariable = "SHOAL_ADMIN_TOKEN";

    /// <summary>True when <paramref name="listen"/> is reachable only from this machine.</summary>
    public static bool IsLoopback(Uri listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        return listen.IsLoopback || (IPAddress.TryParse(listen.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Requires <paramref name="token"/> on mutations when it is set, except for requests <paramref name="exempt"/> lets through.</summary>
    public static IApplicationBuilder UseAdminToken(this IApplicationBuilder app, string? token, Func<HttpContext, bool>? exempt = null)
    {
        if (string.IsNullOrEmpty(token))
        {
            return app;
        }

        var expected = Encoding.UTF8.GetBytes("Bearer " + token);
        return app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || exempt?.Invoke(context) == true)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, expected))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"shoal-admin\"";
                await Results.Problem(statusCode: 401, title: "Unauthorized", detail: $"Admin changes need 'Authorization: Bearer <token>' with the token from gateway.admin_token or {TokenVariable}.")
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }
}
