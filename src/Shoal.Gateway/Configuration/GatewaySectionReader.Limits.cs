using System.Globalization;
using Shoal.Configuration;
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

        if (!TryParseSize(text, out var bytes))
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

    /// <summary>Parses <c>N</c>, <c>NB</c>, <c>NK</c>/<c>NKB</c>/<c>NKiB</c>, likewise M, G and T; case-insensitive. Too large a number reads as <see cref="long.MaxValue"/>.</summary>
    internal static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        var shift = text[end..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (end == 0 || shift < 0)
        {
            return false;
        }

        var fits = long.TryParse(text.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= long.MaxValue >> shift;
        bytes = fits ? number << shift : long.MaxValue;
        return true;
    }
}
