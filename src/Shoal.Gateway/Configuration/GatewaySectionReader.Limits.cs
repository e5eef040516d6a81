using Shoal.Configuration;
using Shoal.Text;
using YamlDotNet.RepresentationModel;

namespace Shoal.Gateway.Configuration;

/// <summary>The <c>gateway.limits</c> section.</summary>
public sealed partial class GatewaySectionReader
{
    /// <summary>The largest <c>max_request_body</c> accepted: 1 TiB.</summary>
    private const long MaxBodyLimit = 1L << 40;

    private static readonly string[] s_limitsKeys = ["max_connections", "max_connections_per_client", "max_upgraded_connections", "admin_max_connections", "max_request_body", "max_hops"];

    private static GatewayLimitsDefinition ReadLimits(YamlFields gateway)
    {
        var limits = gateway.GetMap("limits", s_limitsKeys);
        if (limits is null)
        {
            return new GatewayLimitsDefinition();
        }

        return new GatewayLimitsDefinition
        {
            MaxConnections = limits.GetInt("max_connections", 1, 10_000_000),
            MaxConnectionsPerClient = limits.GetInt("max_connections_per_client", 1, 10_000_000),
            MaxUpgradedConnections = limits.GetInt("max_upgraded_connections", 0, 10_000_000),
            AdminMaxConnections = limits.GetInt("admin_max_connections", 1, 1_000_000),
            MaxRequestBody = ReadSize(limits, "max_request_body"),
            MaxHops = limits.GetInt("max_hops", 1, 255) ?? 10,
        };
    }

    /// <summary>A size such as <c>100MB</c>, <c>512KB</c>, <c>1GB</c> or a number of bytes (K, M and G are powers of 1024), or <c>unlimited</c> (null).</summary>
    private static long? ReadSize(YamlFields section, string key)
    {
        var node = section.Get(key);
        if (node is null)
        {
            return GatewayLimitsDefinition.DefaultMaxRequestBody;
        }

        var text = (node as YamlScalarNode)?.Value?.Trim() ?? string.Empty;
        if (text == "unlimited")
        {
            return null;
        }

        if (!ByteSizes.TryParse(text, out var bytes))
        {
            section.Errors.Add(node, section.FieldPath(key), $"expected a size such as 100MB, 512KB or 1GB (or 'unlimited'), got {YamlFields.Describe(node)}");
            return GatewayLimitsDefinition.DefaultMaxRequestBody;
        }

        if (bytes is < 1 or > MaxBodyLimit)
        {
            section.Errors.Add(node, section.FieldPath(key), $"{text} is out of range; allowed 1 byte to 1TB (or 'unlimited')");
            return GatewayLimitsDefinition.DefaultMaxRequestBody;
        }

        return bytes;
    }
}
