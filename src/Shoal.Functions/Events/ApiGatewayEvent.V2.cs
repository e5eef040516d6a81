using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;
using Shoal.Functions.Routing;

namespace Shoal.Functions.Events;

public static partial class ApiGatewayEvent
{
    /// <summary>Payload format 2.0, as an HTTP API's Lambda integration sends it.</summary>
    private static void WriteV2(Utf8JsonWriter writer, HttpContext context, ReadOnlySpan<byte> body, RouteMatch match, AuthResult auth, string stage, string requestId, DateTimeOffset now)
    {
        var request = context.Request;
        var rawPath = request.Path.HasValue ? request.Path.ToUriComponent() : "/";
        writer.WriteStartObject();
        writer.WriteString("version", "2.0");
        writer.WriteString("routeKey", match.Route.RouteKey);
        writer.WriteString("rawPath", rawPath);
        writer.WriteString("rawQueryString", request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        WriteV2Cookies(writer, request.Headers.Cookie);
        WriteV2Headers(writer, request.Headers);
        if (request.Query.Count > 0)
        {
            writer.WriteStartObject("queryStringParameters");
            foreach (var (name, values) in request.Query)
            {
                writer.WriteString(name, string.Join(',', values.ToArray()));
            }

            writer.WriteEndObject();
        }

        if (match.PathParameters.Count > 0)
        {
            WritePathParameters(writer, match);
        }

        writer.WriteStartObject("requestContext");
        writer.WriteString("accountId", AccountId);
        writer.WriteString("apiId", ApiId);
        WriteV2Authorizer(writer, auth);
        var domain = DomainName(context);
        writer.WriteString("domainName", domain);
        writer.WriteString("domainPrefix", DomainPrefix(domain));
        writer.WriteStartObject("http");
        writer.WriteString("method", request.Method);
        writer.WriteString("path", rawPath);
        writer.WriteString("protocol", request.Protocol);
        writer.WriteString("sourceIp", SourceIp(context));
        writer.WriteString("userAgent", UserAgent(context));
        writer.WriteEndObject();
        writer.WriteString("requestId", requestId);
        writer.WriteString("routeKey", match.Route.RouteKey);
        writer.WriteString("stage", stage);
        writer.WriteString("time", FormatTime(now));
        writer.WriteNumber("timeEpoch", now.ToUnixTimeMilliseconds());
        writer.WriteEndObject();

        EventBody.Write(writer, body, request.ContentType, omitWhenEmpty: true);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Lower-case names, repeated values joined with commas. The <c>Cookie</c> header is left out: HTTP APIs move it
    /// to <c>cookies</c>.
    /// </summary>
    private static void WriteV2Headers(Utf8JsonWriter writer, IHeaderDictionary headers)
    {
        writer.WriteStartObject("headers");
        foreach (var (name, values) in headers)
        {
            if (values.Count == 0 || string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            writer.WriteString(name.ToLowerInvariant(), values.Count == 1 ? values[0] : string.Join(',', values.ToArray()));
        }

        writer.WriteEndObject();
    }

    /// <summary>Each <c>name=value</c> pair of every <c>Cookie</c> header, in order; omitted when there are none.</summary>
    private static void WriteV2Cookies(Utf8JsonWriter writer, Microsoft.Extensions.Primitives.StringValues headers)
    {
        var started = false;
        foreach (var header in headers)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var range in header.AsSpan().Split(';'))
            {
                var cookie = header.AsSpan(range).Trim();
                if (cookie.IsEmpty)
                {
                    continue;
                }

                if (!started)
                {
                    writer.WriteStartArray("cookies");
                    started = true;
                }

                writer.WriteStringValue(cookie);
            }
        }

        if (started)
        {
            writer.WriteEndArray();
        }
    }

    /// <summary>
    /// JWT routes get <c>authorizer.jwt {claims, scopes}</c> as HTTP APIs send it. HTTP APIs have no API keys; for
    /// an api-key route the key's id goes where a Lambda authorizer's context would: <c>authorizer.lambda.apiKeyId</c>.
    /// </summary>
    private static void WriteV2Authorizer(Utf8JsonWriter writer, AuthResult auth)
    {
        if (!auth.IsAllowed)
        {
            return;
        }

        if (auth.Mode == RouteAuth.Jwt)
        {
            writer.WriteStartObject("authorizer");
            writer.WriteStartObject("jwt");
            WriteClaims(writer, auth);
            WriteScopes(writer, auth);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else if (auth.Mode == RouteAuth.ApiKey && auth.ApiKeyId is not null)
        {
            writer.WriteStartObject("authorizer");
            writer.WriteStartObject("lambda");
            writer.WriteString("apiKeyId", auth.ApiKeyId);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
