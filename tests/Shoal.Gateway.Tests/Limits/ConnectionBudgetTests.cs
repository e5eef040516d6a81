using Shoal.Gateway.Limits;

namespace Shoal.Gateway.Tests.Limits;

public sealed class ConnectionBudgetTests
{
    [Fact]
    public void For_TwentyThousandDescriptors_SharesThemOutWithAReserve()
    {
        var budget = ConnectionBudget.For(20_000);

        Assert.Equal(new ConnectionBudget(20_000, 2_500, 7_209, 3_604, 1_029, 1_024, 512), budget);
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1_024)]
    [InlineData(4_096)]
    [InlineData(20_000)]
    [InlineData(65_536)]
    [InlineData(1_048_576)]
    public void For_AnyLimit_NeverPromisesMoreDescriptorsThanThereAreMinusTheReserve(long descriptors)
    {
        var budget = ConnectionBudget.For(descriptors);

        Assert.True(budget.Needed + budget.Reserved <= budget.FileDescriptors, $"{budget.Needed} + {budget.Reserved} > {budget.FileDescriptors}");
        Assert.InRange(budget.Reserved, ConnectionBudget.MinReserve, ConnectionBudget.MaxReserve);
        Assert.True(budget.GatewayConnections >= 1 && budget.AdminConnections >= 16);
        Assert.True(budget.GatewayConnectionsPerClient < budget.GatewayConnections || budget.GatewayConnections == 1);
    }

    [Fact]
    public void For_TinyLimit_StillKeepsTheMinimumReserve()
    {
        var budget = ConnectionBudget.For(100);

        Assert.Equal(512, budget.FileDescriptors);
        Assert.Equal(256, budget.Reserved);
    }
}
