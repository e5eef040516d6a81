using System.Net;

namespace Shoal.Registry.Configuration;

/// <summary>The <c>registry:</c> section: where the registry lives and which unusual addresses registrations may use.</summary>
public sealed record RegistrySettings
{
    /// <summary>Where the registry lives: <c>sqlite:/abs/path</c> (default <c>.shoal/registry.db</c>) or <c>etcd://host:port,…[/prefix]</c>.</summary>
    public string Store { get; init; } = "";

    /// <summary>Address ranges registrations may point into although they are link-local or metadata addresses (<c>registry.allow_addresses</c>).</summary>
    public IReadOnlyList<IPNetwork> AllowAddresses { get; init; } = [];
}
