using System.Globalization;
using Shoal.Configuration;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary>
/// <c>ports</c> and <c>expose</c> as the service's one <c>port</c>: the container port, which the command listens on
/// here; a published host port is not opened, the gateway serves the service.
/// </summary>
internal sealed partial class ComposeNormalizer
{
    private void Ports(YamlMappingNode result, YamlMappingNode service, string path, int replicas)
    {
        var targets = new List<(int Port, YamlNode At)>();
        var published = new List<(string Host, YamlNode At)>();
        foreach (var key in new[] { "ports", "expose" })
        {
            if (Get(service, key) is not { } node)
            {
                continue;
            }

            if (node is not YamlSequenceNode list)
            {
                _errors.Add(node, $"{path}.{key}", $"expected a list of ports, got {YamlFields.Describe(node)}");
                continue;
            }

            for (var i = 0; i < list.Children.Count; i++)
            {
                var field = $"{path}.{key}[{i}]";
                if (ReadPort(list.Children[i], field, key == "ports") is { } port)
                {
                    targets.Add((port.Target, list.Children[i]));
                    if (port.Published is { } host)
                    {
                        published.Add((host, list.Children[i]));
                    }
                }
            }
        }

        if (targets.Count == 0)
        {
            return;
        }

        var (target, at) = targets[0];
        var others = targets.Select(t => t.Port).Distinct().Skip(1).ToList();
        if (others.Count > 0)
        {
            _errors.Warn(targets.First(t => t.Port != target).At, path, $"not served: a Shoal service listens on one port ({target}); {string.Join(", ", others)} {(others.Count == 1 ? "is" : "are")} not reached through the gateway");
        }

        if (published.Count > 0)
        {
            var hosts = string.Join(", ", published.Select(p => p.Host).Distinct());
            _errors.Warn(published[0].At, $"{path}.ports", $"host port {hosts} is not published: Shoal serves the service through the gateway at {_gateway} on its routes ({ComposeKeys.Shoal}: {{ routes: [/api/**] }})");
        }

        // Several replicas cannot share the container port on one host: each gets its own, in $PORT.
        if (replicas > 1)
        {
            _errors.Warn(at, $"{path}.ports", $"{replicas} replicas cannot all listen on port {target} on one host: each gets its own port in $PORT (port: auto), which the command must listen on");
            Put(result, "port", Text("auto", at), at);
        }
        else
        {
            Put(result, "port", Text(target.ToString(CultureInfo.InvariantCulture), at), at);
        }
    }

    private (int Target, string? Published)? ReadPort(YamlNode node, string field, bool publishable)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text }:
                var spec = text;
                var slash = spec.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    if (!spec[(slash + 1)..].Equals("tcp", StringComparison.OrdinalIgnoreCase))
                    {
                        _errors.Warn(node, field, $"not served: the gateway forwards HTTP over TCP, not {YamlFields.Printable(spec[(slash + 1)..])}");
                        return null;
                    }

                    spec = spec[..slash];
                }

                // [host_ip:][published:]target, where host_ip may be [::1].
                var colon = spec.LastIndexOf(':');
                var targetText = colon < 0 ? spec : spec[(colon + 1)..];
                var published = colon < 0 ? null : spec[..colon];
                if (published is not null && published.LastIndexOf(':') is var ip and >= 0)
                {
                    published = published[(ip + 1)..];
                }

                if (!int.TryParse(targetText, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target is < 1 or > 65535)
                {
                    _errors.Add(node, field, $"'{YamlFields.Printable(text)}' is not a port: write 80, \"8080:80\" or \"127.0.0.1:8080:80\" (ranges are not served)");
                    return null;
                }

                return (target, publishable && published is { Length: > 0 } ? published : null);
            case YamlMappingNode map:
                var f = new YamlFields(map, field, _errors, "target", "published", "host_ip", "protocol", "app_protocol", "mode", "name");
                if (f.GetInt("target", 1, 65535) is not { } t)
                {
                    if (f.Get("target") is null)
                    {
                        _errors.Add(map, field, "a port needs 'target': the port the service listens on");
                    }

                    return null;
                }

                if (f.GetString("protocol") is { } protocol && !protocol.Equals("tcp", StringComparison.OrdinalIgnoreCase))
                {
                    _errors.Warn(f.Get("protocol")!, f.FieldPath("protocol"), $"not served: the gateway forwards HTTP over TCP, not {YamlFields.Printable(protocol)}");
                    return null;
                }

                return (t, f.Get("published") is YamlScalarNode { Value: { Length: > 0 } p } ? p : null);
            default:
                _errors.Add(node, field, $"expected a port (80, \"8080:80\") or {{ target, published }}, got {YamlFields.Describe(node)}");
                return null;
        }
    }

    // deploy.replicas (or the older scale) as Shoal's replicas.
    private int Replicas(YamlMappingNode result, YamlMappingNode service)
    {
        var node = Get(service, "deploy") is YamlMappingNode deploy ? Get(deploy, "replicas") : null;
        node ??= Get(service, "scale");
        if (node is null)
        {
            return 1;
        }

        Put(result, "replicas", node, node);
        return node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
    }
}
