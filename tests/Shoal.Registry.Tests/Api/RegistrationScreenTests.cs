using System.Net;
using Microsoft.Extensions.Time.Testing;
using Shoal.Catalog;
using Shoal.Registry.Api;

namespace Shoal.Registry.Tests.Api;

public sealed class RegistrationScreenTests
{
    private static RegistrationPolicy Policy(string gateway = "http://127.0.0.1:8080", string admin = "http://127.0.0.1:9901")
    {
        var policy = new RegistrationPolicy
        {
            Resolve = (name, _) => Task.FromResult(name switch
            {
                "meta.example" => new[] { IPAddress.Parse("169.254.169.254") },
                "self.example" => [IPAddress.Parse("127.0.0.1")],
                "app.example" => [IPAddress.Parse("10.1.2.3")],
                _ => throw new System.Net.Sockets.SocketException(11001),
            }),
            LocalAddresses = () => [IPAddress.Parse("10.0.0.5"), IPAddress.Parse("127.0.0.1")],
        };
        policy.OwnListeners.Add(new Uri(gateway));
        policy.OwnListeners.Add(new Uri(admin));
        policy.ManagedServices.Add("web");
        return policy;
    }

    private static ServiceInstance Instance(string address, int port, string service = "ext") =>
        new() { Service = service, Id = "x-1", Address = address, Port = port };

    private static Task<string?> RefusalAsync(RegistrationPolicy policy, string address, int port, string service = "ext") =>
        RegistrationScreen.RefusalAsync(policy, Instance(address, port, service), new FakeTimeProvider(), CancellationToken.None);

    [Theory]
    [InlineData("127.0.0.1", 5000)]
    [InlineData("10.1.2.3", 8080)]
    [InlineData("192.168.1.20", 9901)]
    [InlineData("app.example", 80)]
    [InlineData("not-resolvable.example", 80)]
    [InlineData("2001:db8::7", 443)]
    public async Task RefusalAsync_OrdinaryInstance_IsAccepted(string address, int port)
    {
        Assert.Null(await RefusalAsync(Policy(), address, port));
    }

    [Theory]
    [InlineData("127.0.0.1", 8080, "address: 127.0.0.1:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("127.0.0.1", 9901, "address: 127.0.0.1:9901 is Shoal's own listener http://127.0.0.1:9901: requests sent there would come back to the gateway in a loop")]
    [InlineData("127.0.0.2", 8080, "address: 127.0.0.2:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("0.0.0.0", 8080, "address: 0.0.0.0:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("::1", 8080, "address: [::1]:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("::ffff:127.0.0.1", 8080, "address: 127.0.0.1:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("localhost", 8080, "address: 'localhost' resolves to 127.0.0.1; 127.0.0.1:8080 is Shoal's own listener http://127.0.0.1:8080: requests sent there would come back to the gateway in a loop")]
    [InlineData("self.example", 9901, "address: 'self.example' resolves to 127.0.0.1; 127.0.0.1:9901 is Shoal's own listener http://127.0.0.1:9901: requests sent there would come back to the gateway in a loop")]
    public async Task RefusalAsync_OwnListener_IsRefusedAsALoop(string address, int port, string expected)
    {
        Assert.Equal(expected, await RefusalAsync(Policy(), address, port));
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    public async Task RefusalAsync_ListenerOnAllInterfaces_IsReachedThroughAnyLocalAddress(string address)
    {
        Assert.NotNull(await RefusalAsync(Policy(gateway: "http://0.0.0.0:8080"), address, 8080));
        Assert.Null(await RefusalAsync(Policy(gateway: "http://0.0.0.0:8080"), "10.9.9.9", 8080));
    }

    [Theory]
    [InlineData("169.254.169.254", "address: 169.254.169.254 is a cloud metadata address (allow it with registry.allow_addresses)")]
    [InlineData("fd00:ec2::254", "address: fd00:ec2::254 is a cloud metadata address (allow it with registry.allow_addresses)")]
    [InlineData("100.100.100.200", "address: 100.100.100.200 is a cloud metadata address (allow it with registry.allow_addresses)")]
    [InlineData("169.254.1.1", "address: 169.254.1.1 is a link-local address (allow it with registry.allow_addresses)")]
    [InlineData("fe80::1", "address: fe80::1 is a link-local address (allow it with registry.allow_addresses)")]
    [InlineData("0.0.0.0", "address: 0.0.0.0 is the unspecified address, not one an instance listens on")]
    [InlineData("::", "address: :: is the unspecified address, not one an instance listens on")]
    [InlineData("224.0.0.1", "address: 224.0.0.1 is a multicast or broadcast address, not one an instance listens on")]
    [InlineData("metadata.google.internal", "address: 'metadata.google.internal' is a cloud metadata service")]
    [InlineData("Metadata.Google.Internal.", "address: 'Metadata.Google.Internal.' is a cloud metadata service")]
    [InlineData("meta.example", "address: 'meta.example' resolves to 169.254.169.254; 169.254.169.254 is a cloud metadata address (allow it with registry.allow_addresses)")]
    public async Task RefusalAsync_LinkLocalMetadataAndUnspecified_AreRefused(string address, string expected)
    {
        Assert.Equal(expected, await RefusalAsync(Policy(), address, 80));
    }

    [Fact]
    public async Task RefusalAsync_AllowList_LetsChosenRangesThroughButNeverTheOwnListener()
    {
        var policy = Policy();
        policy.AllowAddresses.Add(IPNetwork.Parse("169.254.0.0/16"));
        policy.AllowAddresses.Add(IPNetwork.Parse("127.0.0.0/8"));

        Assert.Null(await RefusalAsync(policy, "169.254.169.254", 80));
        Assert.Null(await RefusalAsync(policy, "169.254.3.4", 80));
        Assert.NotNull(await RefusalAsync(policy, "127.0.0.1", 8080));
        Assert.NotNull(await RefusalAsync(policy, "fe80::1", 80));
    }

    [Fact]
    public async Task RefusalAsync_ManagedService_IsRefusedWhateverTheAddress()
    {
        Assert.Equal(
            "service: 'web' is run by the stack, which registers its replicas itself; register outside instances into a service declared with 'external: true'",
            await RefusalAsync(Policy(), "10.1.2.3", 5000, service: "web"));
    }

    [Fact]
    public async Task RefusalAsync_SlowResolver_IsJudgedOnTheNameAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var policy = Policy();
        policy.Resolve = async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return [];
        };

        var judging = RegistrationScreen.RefusalAsync(policy, Instance("slow.example", 80), time, CancellationToken.None);
        Assert.False(judging.IsCompleted);
        time.Advance(policy.ResolveTimeout);

        Assert.Null(await judging.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
