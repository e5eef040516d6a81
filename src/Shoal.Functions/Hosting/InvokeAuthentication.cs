using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Shoal.Functions.Auth;
using Shoal.Http;

namespace Shoal.Functions.Hosting;

/// <summary>
/// Lets the AWS SDKs and CLI call the Invoke API without the admin token: a request signed with SigV4 is verified
/// against the one access key the stack configures (<c>functions.invoke_credentials</c>) and then may invoke, nothing
/// else. Without configured credentials a signature proves nothing and is refused.
/// </summary>
public static class InvokeAuthentication
{
    /// <summary>The SigV4 service name of Lambda.</summary>
    public const string Service = "lambda";

    /// <summary>An authenticator for <see cref="AdminAccessOptions.Authenticators"/>; <paramref name="accessKeyId"/> null when none is configured.</summary>
    public static Func<HttpContext, ValueTask<AdminAuthenticationResult>> Create(string? accessKeyId, string? secretAccessKey, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return async context =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments(InvokeEndpoints.Prefix.TrimEnd('/'), StringComparison.Ordinal)
                || !request.Headers.Authorization.ToString().StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
            {
                return AdminAuthenticationResult.NotApplicable;
            }

            if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(secretAccessKey))
            {
                return AdminAuthenticationResult.Fail(StatusCodes.Status403Forbidden,
                    "A SigV4 signature is accepted only when it can be verified: set functions.invoke_credentials (access_key_id, secret_access_key) in the stack file and give the SDK that key, or send the admin token.");
            }

            // The signature covers the body: read it once here (buffered, so the endpoint reads it again), within the Invoke API's limit.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = InvokeEndpoints.MaxPayloadBytes + 1;
            }

            request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: InvokeEndpoints.MaxPayloadBytes + 1);
            var body = await RequestBody.ReadAsync(request, InvokeEndpoints.MaxPayloadBytes).ConfigureAwait(false);
            if (body is null)
            {
                return AdminAuthenticationResult.Fail(StatusCodes.Status413PayloadTooLarge, $"The request must be smaller than {InvokeEndpoints.MaxPayloadBytes} bytes.");
            }

            request.Body.Position = 0;
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
            var question = target.IndexOf('?', StringComparison.Ordinal);
            var headers = request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty))).ToList();
            var signed = new SigV4Request(request.Method, question < 0 ? target : target[..question], question < 0 ? string.Empty : target[(question + 1)..], headers, SigV4.Sha256Hex(body));
            var problem = SigV4.Verify(signed, accessKeyId, secretAccessKey, Service, timeProvider.GetUtcNow());
            return problem is null
                ? AdminAuthenticationResult.Success(AdminRole.Invoker)
                : AdminAuthenticationResult.Fail(StatusCodes.Status403Forbidden, $"SigV4: {problem}.");
        };
    }
}
