using System.Net;
using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.LoadBalancing;

public sealed class HashPolicyTests
{
    private static readonly Catalog.ServiceInstance[] s_three = [Instance("app-1", 1), Instance("app-2", 2), Instance("app-3", 3)];

    [Theory]
    [InlineData("header:X-User")]
    [InlineData("query:user")]
    [InlineData("cookie:user")]
    public void ConsistentHash_SameKey_SameInstance_DifferentKeysSpread(string source)
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = Strategies.ConsistentHash, HashKey = source }, s_three);

        var owners = Enumerable.Range(0, 300).Select(i =>
        {
            var context = Request();
            var key = $"user-{i % 30}";
            switch (source.Split(':')[0])
            {
                case "header": context.Request.Headers["X-User"] = key; break;
                case "query": context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString($"?user={key}"); break;
                default: context.Request.Headers.Cookie = $"user={key}"; break;
            }

            return (key, Pick(cluster, context));
        }).ToList();

        Assert.All(owners.GroupBy(o => o.key), g => Assert.Single(g.Select(o => o.Item2).Distinct()));
        Assert.Equal(3, owners.Select(o => o.Item2).Distinct().Count());
    }

    [Fact]
    public void ConsistentHash_NoKey_FallsBackToRoundRobin()
    {
        var (_, cluster) = Cluster(new LoadBalancingSettings { Strategy = Strategies.ConsistentHash, HashKey = "header:X-User" }, s_three);

        Assert.Equal(["app-1", "app-2", "app-3"], Enumerable.Range(0, 3).Select(_ => Pick(cluster)));
    }

    [Fact]
    public void IpHash_ForwardedFor_OnlyBelievedFromATrustedProxy()
    {
        var trusted = new GatewayOptions();
        trusted.TrustedProxies.Add(IPNetwork.Parse("127.0.0.0/8"));
        var (_, withProxy) = Cluster(trusted, TimeProvider.System, new LoadBalancingSettings { Strategy = Strategies.IpHash }, s_three);
        var (_, without) = Cluster(new LoadBalancingSettings { Strategy = Strategies.IpHash }, s_three);

        var viaProxy = Enumerable.Range(1, 40).Select(i => Pick(withProxy, Request("/", ("X-Forwarded-For", $"10.0.0.{i}, 127.0.0.5")))).ToList();
        var direct = Enumerable.Range(1, 40).Select(i => Pick(without, Request("/", ("X-Forwarded-For", $"10.0.0.{i}")))).ToList();

        Assert.True(viaProxy.Distinct().Count() > 1, "clients behind a trusted proxy spread by their own address");
        Assert.Single(direct.Distinct());
        Assert.Equal(viaProxy, Enumerable.Range(1, 40).Select(i => Pick(withProxy, Request("/", ("X-Forwarded-For", $"10.0.0.{i}")))));
    }
}
