using System.Net;
using Shoal.Configuration;
using Shoal.Gateway.Forwarding;
using Shoal.Gateway.Redis;
using Shoal.Http;

namespace Shoal.Gateway.Configuration;

/// <summary>The <c>gateway:</c> section: listeners, tokens, plugins and trusted proxies.</summary>
public sealed partial class GatewaySectionReader
{
    private static GatewayDefinition ReadGateway(YamlFields top, string directory)
    {
        var section = top.GetMap("gateway", s_gatewayKeys);
        if (section is null)
        {
            return new GatewayDefinition { AdminToken = FromEnvironment(AdminAuthentication.TokenVariable), OperatorToken = FromEnvironment(AdminAuthentication.OperatorTokenVariable) };
        }

        var plugins = new List<string>();
        foreach (var (node, path) in section.GetStringList("plugins") ?? [])
        {
            if (YamlFields.ControlCharacter(path) is { } c)
            {
                section.Errors.Add(node, section.FieldPath("plugins"), $"a path cannot hold the control character U+{(int)c:X4}");
                continue;
            }

            var full = Path.GetFullPath(Path.Combine(directory, path));
            if (!File.Exists(full) || !(full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || full.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)))
            {
                section.Errors.Add(node, section.FieldPath("plugins"), $"no .dll or .csproj at '{path}' (resolved to {full})");
            }

            plugins.Add(full);
        }

        var proxies = new List<IPNetwork>();
        foreach (var (node, text) in section.GetStringList("trusted_proxies") ?? [])
        {
            if (IPNetwork.TryParse(text.Contains('/', StringComparison.Ordinal) ? text : text + (text.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"), out var network))
            {
                proxies.Add(network);
            }
            else
            {
                section.Errors.Add(node, section.FieldPath("trusted_proxies"), $"'{text}' is not an IP address or CIDR range such as 10.0.0.0/8");
            }
        }

        var admin = ReadListenUri(section, "admin") ?? GatewayDefinition.DefaultAdmin;
        var token = FromEnvironment(AdminAuthentication.TokenVariable) ?? section.GetString("admin_token");
        if (token is { Length: < 16 })
        {
            section.Errors.Add(section.Get("admin_token") ?? section.Node, section.FieldPath("admin_token"), "an admin token needs at least 16 characters");
        }

        var operatorToken = FromEnvironment(AdminAuthentication.OperatorTokenVariable) ?? section.GetString("operator_token");
        if (operatorToken is { Length: < 16 })
        {
            section.Errors.Add(section.Get("operator_token") ?? section.Node, section.FieldPath("operator_token"), "an operator token needs at least 16 characters");
        }
        else if (operatorToken is not null && operatorToken == token)
        {
            section.Errors.Add(section.Get("operator_token") ?? section.Node, section.FieldPath("operator_token"), "the operator token must differ from the admin token");
        }

        if (!AdminAuthentication.IsLoopback(admin) && string.IsNullOrEmpty(token))
        {
            section.Errors.Add(section.Get("admin") ?? section.Node, section.FieldPath("admin"), $"the admin listener {admin} is reachable from other machines: set gateway.admin_token or {AdminAuthentication.TokenVariable}, or listen on 127.0.0.1");
        }

        var listen = ReadListenUri(section, "listen") ?? GatewayDefinition.DefaultListen;
        if (listen.Port == admin.Port)
        {
            section.Errors.Add(section.Get("admin") ?? section.Node, "gateway.admin", $"port clash: the admin listener and the gateway listener both use port {admin.Port}");
        }

        var redis = new List<RedisReference>();
        return new GatewayDefinition
        {
            RateLimit = ReadRateLimit(section, redis),
            RedisReferences = redis.Count == 0 ? Array.Empty<RedisReference>() : redis,
            Listen = listen,
            Admin = admin,
            AdminToken = token,
            OperatorToken = operatorToken,
            Plugins = plugins,
            TrustedProxies = proxies,
            Limits = ReadLimits(section),
            Metrics = section.GetBool("metrics") ?? true,
            MetricsPublic = section.GetBool("metrics_public") ?? false,
            AccessLog = ReadAccessLog(section, directory),
            ForwardedHeaders = section.GetEnum("forwarded_headers", ForwardedHeadersNames.All) ?? ForwardedHeadersMode.XForwarded,
        };
    }

    private static string? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    private static Uri? ReadListenUri(YamlFields section, string key)
    {
        var text = section.GetString(key);
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/" && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            return uri;
        }

        section.Errors.Add(section.Get(key)!, section.FieldPath(key), $"expected an http URL with host and port such as http://127.0.0.1:8080, got '{text}'");
        return null;
    }
}
