using Shoal.Gateway.Health;
using Shoal.Gateway.Configuration;
using static Shoal.Gateway.Tests.GatewayTestData;

namespace Shoal.Gateway.Tests.Health;

public sealed class PassiveHealthMonitorTests
{
    [Theory]
    [InlineData(4, 50, 2)]
    [InlineData(4, 10, 1)]
    [InlineData(2, 100, 1)]
    [InlineData(1, 100, 0)]
    public void MayEject_CapsEjectionsAndNeverTheLast(int instances, int maxPercent, int ejectable)
    {
        var (_, cluster) = Cluster(LoadBalancingSettings.Default, Enumerable.Range(1, instances).Select(i => Instance($"app-{i}", i)).ToArray());
        var ejected = 0;
        foreach (var destination in cluster.AllDestinations)
        {
            if (!PassiveHealthMonitor.MayEject(cluster, maxPercent))
            {
                break;
            }

            destination.TryEject();
            ejected++;
        }

        Assert.Equal(ejectable, ejected);
    }
}
