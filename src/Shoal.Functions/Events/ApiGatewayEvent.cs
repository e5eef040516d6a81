using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;
using Shoal.Functions.Routing;

namespace Shoal.Functions.Events;

/// <summary>
/// Builds the API Gateway Lambda-proxy event a function receives for an HTTP request: payload format 1.0 (REST API)
/// or 2.0 (HTTP API), as the route asks. Written straight to UTF-8 with <see cref="Utf8JsonWriter"/>: no reflection,
/// no intermediate objects.
/// </summary>
public static partial class ApiGatewayEvent
{
    /// <summary>The <c>accountId</c> every event reports: there is no AWS account behind Shoal.</summary>
    public const string AccountId = "000000000000";

    /// <summary>The <c>apiId</c> every event reports.</summary>
    public const string ApiId = "shoal";

    // The event goes to a function, never into an HTML page, so non-ASCII text and '<' '&' need no escaping.
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The UTF-8 JSON event for <paramref name="match"/>'s payload format.</summary>
    /// <param name="context">The request; its body is passed separately, already read.</param>
    /// <param name="body">The request body.</param>
    /// <param name="match">The route and the values of its path parameters.</param>
    /// <param name="auth">Who the caller is: JWT claims and scopes, or an API key id.</param>
    /// <param name="stage">The stage the event reports, e.g. <c>$default</c> or <c>prod</c>.</param>
    /// <param name="requestId">The request id the event reports.</param>
    /// <param name="now">When the request arrived, for <c>requestTime</c>/<c>time</c> and their epochs.</param>
    public static byte[] Build(HttpContext context, ReadOnlySpan<byte> body, RouteMatch match, AuthResult auth, string stage, string requestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(requestId);

        // Headers and context take about 1-2 KB; a binary body grows by a third in base64.
        var buffer = new ArrayBufferWriter<byte>(2048 + (body.Length / 3 * 4));
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            if (match.Route.Payload == PayloadVersion.V1)
            {
                WriteV1(writer, context, body, match, auth, stage, requestId, now);
            }
            else
            {
                WriteV2(writer, context, body, match, auth, stage, requestId, now);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>API Gateway's CLF-style time: <c>09/Apr/2015:12:34:56 +0000</c>, always UTC.</summary>
    internal static string FormatTime(DateTimeOffset now) =>
        now.UtcDateTime.ToString("dd'/'MMM'/'yyyy':'HH':'mm':'ss '+0000'", CultureInfo.InvariantCulture);

    /// <summary>The caller's address, through the gateway's trusted proxies; an IPv4 client on a dual-stack socket is reported as plain IPv4.</summary>
    private static string? SourceIp(HttpContext context) => Shoal.Http.ClientAddressFeature.Of(context)?.ToString();

    /// <summary>The host the client asked for, without its port (API Gateway's <c>domainName</c>).</summary>
    private static string DomainName(HttpContext context) => context.Request.Host.HasValue ? context.Request.Host.Host : "";

    /// <summary>The first label of the domain (<c>id</c> in <c>id.execute-api.us-east-1.amazonaws.com</c>).</summary>
    private static string DomainPrefix(string domain)
    {
        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? domain : domain[..dot];
    }

    private static string? UserAgent(HttpContext context)
    {
        var values = context.Request.Headers.UserAgent;
        return values.Count == 0 ? null : values.ToString();
    }

    private static void WritePathParameters(Utf8JsonWriter writer, RouteMatch match)
    {
        writer.WriteStartObject("pathParameters");
        foreach (var (name, value) in match.PathParameters)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteScopes(Utf8JsonWriter writer, AuthResult auth)
    {
        if (auth.Scopes.Count == 0)
        {
            writer.WriteNull("scopes");
            return;
        }

        writer.WriteStartArray("scopes");
        foreach (var scope in auth.Scopes)
        {
            writer.WriteStringValue(scope);
        }

        writer.WriteEndArray();
    }

    private static void WriteClaims(Utf8JsonWriter writer, AuthResult auth)
    {
        writer.WriteStartObject("claims");
        foreach (var (name, value) in auth.Claims)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
    }
}
