using Shoal.Gateway.LoadBalancing;
using Shoal.Gateway.Model;
using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class HashRingTests
{
    private static IReadOnlyList<DestinationState> Destinations(int count)
    {
        var (_, cluster) = Cluster(LoadBalancingSettings.Default, Enumerable.Range(1, count).Select(i => Instance($"app-{i}", 5000 + i)).ToArray());
        return cluster.Available;
    }

    private static Dictionary<int, string> Owners(IReadOnlyList<DestinationState> destinations) =>
        Enumerable.Range(0, 10_000).ToDictionary(k => k, k => HashRing.Build(destinations, 160).Pick(HashRing.HashOf($"user-{k}"), null)!.Id);

    [Fact]
    public void Pick_AddingAFifthInstance_MovesAboutAFifthOfTheKeys()
    {
        var before = Owners(Destinations(4));
        var after = Owners(Destinations(5));

        var moved = before.Count(kv => after[kv.Key] != kv.Value);

        Assert.InRange(moved, 1500, 2500);
        Assert.All(before.Where(kv => after[kv.Key] != kv.Value), kv => Assert.Equal("app-5", after[kv.Key]));
    }

    [Fact]
    public void Pick_RemovingOneOfFive_MovesOnlyItsKeys()
    {
        var five = Destinations(5);
        var before = Owners(five);
        var after = Owners(five.Where(d => d.Id != "app-3").ToArray());

        Assert.All(before, kv => Assert.True(kv.Value == "app-3" || after[kv.Key] == kv.Value, $"key {kv.Key} moved from {kv.Value}"));
        Assert.DoesNotContain("app-3", after.Values);
        Assert.InRange(before.Count(kv => kv.Value == "app-3"), 1500, 2500);
    }

    [Fact]
    public void Pick_WithBoundedLoad_SkipsAnInstanceAboveTheBound()
    {
        var destinations = Destinations(4);
        var ring = HashRing.Build(destinations, 160);
        var hash = HashRing.HashOf("hot-key");
        var owner = ring.Pick(hash, null)!;
        for (var i = 0; i < 10; i++)
        {
            owner.BeginRequest();
        }

        var bounded = ring.Pick(hash, 1.25)!;

        Assert.NotSame(owner, bounded);
        Assert.Same(owner, ring.Pick(hash, null));
    }
}
