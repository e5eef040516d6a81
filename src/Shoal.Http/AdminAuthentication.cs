using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Shoal.Http;

/// <summary>
/// Authentication of the admin API. Every request needs a credential except a GET of an open path (<c>/healthz</c>):
/// the owner-only Unix socket, <c>Authorization: Bearer TOKEN</c> with the admin or operator token, or what an extra
/// authenticator verifies (a SigV4 signature on the Invoke API). Tokens are compared in constant time.
/// </summary>
public static class AdminAuthentication
{
    /// <summary>The environment variable that sets (and overrides) the admin token.</summary>
    public const string TokenVariable = "SHOAL_ADMIN_TOKEN";

    /// <summary>The environment variable that sets (and overrides) the operator token.</summary>
    public const string OperatorTokenVariable = "SHOAL_OPERATOR_TOKEN";

    private static readonly object s_roleKey = new();

    /// <summary>True when <paramref name="listen"/> is reachable only from this machine.</summary>
    public static bool IsLoopback(Uri listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        return listen.IsLoopback || (IPAddress.TryParse(listen.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>A new random token: 32 bytes, base64url.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The role the request proved (set by <see cref="UseAdminAuthentication"/>).</summary>
    public static AdminRole RoleOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(s_roleKey, out var role) && role is AdminRole r ? r : AdminRole.Anonymous;
    }

    /// <summary>Requires a credential on every request outside <see cref="AdminAccessOptions.OpenPaths"/> and records the caller's role.</summary>
    public static IApplicationBuilder UseAdminAuthentication(this IApplicationBuilder app, AdminAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Token);
        var admin = Encoding.UTF8.GetBytes("Bearer " + options.Token);
        var operatorToken = string.IsNullOrEmpty(options.OperatorToken) ? null : Encoding.UTF8.GetBytes("Bearer " + options.OperatorToken);
        return app.Use(async (context, next) =>
        {
            var role = await AuthenticateAsync(context, options, admin, operatorToken).ConfigureAwait(false);
            if (role is null)
            {
                return;
            }

            context.Items[s_roleKey] = role.Value;
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>The caller's role, or null when the request was refused (the answer is written).</summary>
    private static async Task<AdminRole?> AuthenticateAsync(HttpContext context, AdminAccessOptions options, byte[] admin, byte[]? operatorToken)
    {
        if (options.IsLocalSocket(context))
        {
            return AdminRole.Operator;
        }

        var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
        if (operatorToken is not null && CryptographicOperations.FixedTimeEquals(given, operatorToken))
        {
            return AdminRole.Operator;
        }

        if (CryptographicOperations.FixedTimeEquals(given, admin))
        {
            return AdminRole.Admin;
        }

        foreach (var authenticate in options.Authenticators)
        {
            var result = await authenticate(context).ConfigureAwait(false);
            if (result.Role is { } proved)
            {
                return proved;
            }

            if (result.Applies)
            {
                await RefuseAsync(context, result.Status, result.Detail!).ConfigureAwait(false);
                return null;
            }
        }

        var method = context.Request.Method;
        if ((HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) && options.OpenPaths.Contains(context.Request.Path.Value, StringComparer.Ordinal))
        {
            return AdminRole.Anonymous;
        }

        await RefuseAsync(context, StatusCodes.Status401Unauthorized, given.Length == 0
            ? $"The admin API needs 'Authorization: Bearer <token>': the token from gateway.admin_token or {TokenVariable}, else the one 'shoal up' wrote to .shoal/admin.token (or use the Unix socket .shoal/admin.sock)."
            : "The bearer token is not the admin token.").ConfigureAwait(false);
        return null;
    }

    private static async Task RefuseAsync(HttpContext context, int status, string detail)
    {
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"shoal-admin\"";
        }

        await Results.Problem(statusCode: status, title: status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden", detail: detail)
            .ExecuteAsync(context).ConfigureAwait(false);
    }
}
