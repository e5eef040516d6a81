using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Shoal.Functions.Auth;
using Shoal.Functions.Configuration;
using Shoal.Functions.Routing;

namespace Shoal.Functions.Events;

public static partial class ApiGatewayEvent
{
    /// <summary>Payload format 1.0, as a REST API's Lambda proxy integration sends it.</summary>
    private static void WriteV1(Utf8JsonWriter writer, HttpContext context, ReadOnlySpan<byte> body, RouteMatch match, AuthResult auth, string stage, string requestId, DateTimeOffset now)
    {
        var request = context.Request;
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        writer.WriteStartObject();

        // REST APIs send no "version"; HTTP APIs in 1.0 mode send "1.0". Including it lets adapters that sniff the
        // version (Lambda Web Adapter, Mangum) tell the formats apart, and REST handlers ignore it.
        writer.WriteString("version", "1.0");
        writer.WriteString("resource", match.Route.Path);
        writer.WriteString("path", path);
        writer.WriteString("httpMethod", request.Method);
        WriteV1Headers(writer, request.Headers);
        WriteV1Query(writer, request.Query);
        if (match.PathParameters.Count == 0)
        {
            writer.WriteNull("pathParameters");
        }
        else
        {
            WritePathParameters(writer, match);
        }

        writer.WriteNull("stageVariables");

        writer.WriteStartObject("requestContext");
        writer.WriteString("accountId", AccountId);
        writer.WriteString("apiId", ApiId);
        writer.WriteString("resourcePath", match.Route.Path);
        writer.WriteString("httpMethod", request.Method);

        // REST reports the stage-prefixed path here (/prod/users/7); a $default stage has no prefix.
        writer.WriteString("path", stage.Length == 0 || stage == "$default" ? path : "/" + stage + path);
        writer.WriteString("stage", stage);
        writer.WriteString("requestId", requestId);
        writer.WriteString("requestTime", FormatTime(now));
        writer.WriteNumber("requestTimeEpoch", now.ToUnixTimeMilliseconds());
        writer.WriteString("protocol", request.Protocol);
        var domain = DomainName(context);
        writer.WriteString("domainName", domain);
        writer.WriteString("domainPrefix", DomainPrefix(domain));

        writer.WriteStartObject("identity");
        writer.WriteString("sourceIp", SourceIp(context));
        writer.WriteString("userAgent", UserAgent(context));

        // REST puts the key itself in apiKey; Shoal never hands a secret to a function, only which key it was.
        writer.WriteNull("apiKey");
        writer.WriteString("apiKeyId", auth.ApiKeyId);
        writer.WriteEndObject();

        if (auth.Mode == RouteAuth.Jwt && auth.IsAllowed)
        {
            writer.WriteStartObject("authorizer");
            WriteClaims(writer, auth);
            WriteScopes(writer, auth);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        EventBody.Write(writer, body, request.ContentType, omitWhenEmpty: false);
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>headers</c> holds each header's last value and <c>multiValueHeaders</c> all of them, names as the client
    /// sent them; both are null when there are none.
    /// </summary>
    private static void WriteV1Headers(Utf8JsonWriter writer, IHeaderDictionary headers)
    {
        if (headers.Count == 0)
        {
            writer.WriteNull("headers");
            writer.WriteNull("multiValueHeaders");
            return;
        }

        writer.WriteStartObject("headers");
        foreach (var (name, values) in headers)
        {
            if (values.Count > 0)
            {
                writer.WriteString(name, values[values.Count - 1]);
            }
        }

        writer.WriteEndObject();

        writer.WriteStartObject("multiValueHeaders");
        foreach (var (name, values) in headers)
        {
            if (values.Count > 0)
            {
                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The decoded query: last value per name, and all values; null when the URL has no query.</summary>
    private static void WriteV1Query(Utf8JsonWriter writer, IQueryCollection query)
    {
        if (query.Count == 0)
        {
            writer.WriteNull("queryStringParameters");
            writer.WriteNull("multiValueQueryStringParameters");
            return;
        }

        writer.WriteStartObject("queryStringParameters");
        foreach (var (name, values) in query)
        {
            writer.WriteString(name, values.Count == 0 ? "" : values[values.Count - 1]);
        }

        writer.WriteEndObject();

        writer.WriteStartObject("multiValueQueryStringParameters");
        foreach (var (name, values) in query)
        {
            writer.WriteStartArray(name);
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
