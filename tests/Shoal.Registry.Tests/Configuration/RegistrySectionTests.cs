using System.Net;
using Shoal.Configuration;
using Shoal.Registry.Configuration;
using Shoal.Testing.Configuration;

namespace Shoal.Registry.Tests.Configuration;

public sealed class RegistrySectionTests
{
    private static RegistrySettings Parse(string yaml) => SectionReaderHarness.Read(new RegistrySectionReader(), yaml).Stack.Get<RegistrySettings>();

    private static string ErrorOf(string yaml) => Assert.Throws<ConfigFileException>(() => Parse(yaml)).Message;

    [Fact]
    public void Registry_Defaults_ToASqliteFileInTheStateDirectory()
    {
        var registry = Parse("services:\n  app:\n    command: [x]\n");

        Assert.Equal("sqlite:/stacks/demo/.shoal/registry.db", registry.Store);
        Assert.Empty(registry.AllowAddresses);
    }

    [Theory]
    [InlineData("sqlite:data/reg.db", "sqlite:/stacks/demo/data/reg.db")]
    [InlineData("etcd://127.0.0.1:2379", "etcd://127.0.0.1:2379")]
    [InlineData("etcd://10.0.0.1:2379,10.0.0.2:2379/team-a", "etcd://10.0.0.1:2379,10.0.0.2:2379/team-a")]
    public void Registry_Store_IsResolved(string store, string expected)
    {
        Assert.Equal(expected, Parse($"registry:\n  store: \"{store}\"\nservices:\n  app:\n    command: [x]\n").Store);
    }

    [Theory]
    [InlineData("consul://x:8500")]
    [InlineData("etcd://nohost")]
    [InlineData("sqlite:")]
    public void Registry_UnknownStore_IsAnErrorAtItsLine(string store)
    {
        var message = ErrorOf($"registry:\n  store: \"{store}\"\nservices:\n  app:\n    command: [x]\n");

        Assert.Contains("shoal.yml:2:10: registry.store:", message, StringComparison.Ordinal);
        Assert.Contains("sqlite:PATH or etcd://", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowAddresses_AreRangesOrSingleAddresses()
    {
        var registry = Parse("registry:\n  allow_addresses: [169.254.10.0/24, \"fe80::1\", 10.0.0.1]\nservices:\n  app:\n    command: [x]\n");

        Assert.Equal([IPNetwork.Parse("169.254.10.0/24"), IPNetwork.Parse("fe80::1/128"), IPNetwork.Parse("10.0.0.1/32")], registry.AllowAddresses);
    }

    [Fact]
    public void AllowAddresses_NotAnAddress_IsAnErrorAtItsLine()
    {
        var message = ErrorOf("registry:\n  allow_addresses:\n    - 169.254.0.0/99\nservices:\n  app:\n    command: [x]\n");

        Assert.Contains("shoal.yml:3:7: registry.allow_addresses: '169.254.0.0/99' is not an IP address or CIDR range such as 169.254.0.0/16", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_UnknownKey_IsAnErrorThatListsTheSectionsKeys()
    {
        Assert.Equal("shoal.yml:2:3: registry.stores: unknown field 'stores' (did you mean 'store'?)", ErrorOf("registry:\n  stores: x\n"));
        Assert.Equal("shoal.yml:2:3: registry.backend: unknown field 'backend'; allowed here: store, allow_addresses", ErrorOf("registry:\n  backend: x\n"));
    }
}
