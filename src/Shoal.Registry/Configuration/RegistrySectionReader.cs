using System.Net;
using System.Text.RegularExpressions;
using Shoal.Configuration;

namespace Shoal.Registry.Configuration;

/// <summary>Reads the <c>registry:</c> section of the stack file: the store and the address allow-list.</summary>
public sealed partial class RegistrySectionReader : IStackSectionReader
{
    private static readonly string[] s_registryKeys = ["store", "allow_addresses"];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> TopLevelKeys { get; } = [new("registry")];

    /// <inheritdoc />
    public IReadOnlyList<StackKey> ServiceKeys { get; } = [];

    /// <inheritdoc />
    public object? ReadStack(StackReadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var section = context.Top.GetMap("registry", s_registryKeys);
        var allowAddresses = ReadNetworks(section, "allow_addresses");
        return new RegistrySettings { Store = ReadStore(section, context.Directory), AllowAddresses = allowAddresses };
    }

    /// <inheritdoc />
    public object? ReadService(ServiceReadContext context) => null;

    /// <inheritdoc />
    public void Check(StackCheckContext context)
    {
    }

    private static string ReadStore(YamlFields? section, string directory)
    {
        var store = section?.GetPath("store");
        if (store is null)
        {
            return "sqlite:" + Path.Combine(directory, ".shoal", "registry.db");
        }

        if (store.StartsWith("sqlite:", StringComparison.Ordinal) && store.Length > "sqlite:".Length)
        {
            return "sqlite:" + Path.GetFullPath(Path.Combine(directory, store["sqlite:".Length..]));
        }

        if (!EtcdAddressPattern().IsMatch(store))
        {
            section!.Errors.Add(section.Get("store")!, section.FieldPath("store"), $"'{store}' is not a registry store: use sqlite:PATH or etcd://host:port[,host:port…][/prefix]");
        }

        return store;
    }

    /// <summary>A list of IP addresses and CIDR ranges; an address alone is a /32 or /128.</summary>
    private static List<IPNetwork> ReadNetworks(YamlFields? section, string key)
    {
        var networks = new List<IPNetwork>();
        foreach (var (node, text) in section?.GetStringList(key) ?? [])
        {
            var cidr = text.Contains('/', StringComparison.Ordinal) ? text : text + (text.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (IPNetwork.TryParse(cidr, out var network))
            {
                networks.Add(network);
            }
            else
            {
                section!.Errors.Add(node, section.FieldPath(key), $"'{text}' is not an IP address or CIDR range such as 169.254.0.0/16");
            }
        }

        return networks;
    }

    [GeneratedRegex(@"^etcd://[^/,:]+:\d{1,5}(,[^/,:]+:\d{1,5})*(/[A-Za-z0-9._/-]+)?$")]
    private static partial Regex EtcdAddressPattern();
}
