using Shoal.Catalog;

namespace Shoal.Core.Tests.Catalog;

public sealed class InstanceIdComparerTests
{
    [Fact]
    public void Compare_OwnerQualifiedIds_OrdersByNumberThenByOwner()
    {
        string[] ids = ["app-10@b.host", "app-2@b.host", "app-1@b.host", "app-2@a.host", "app-1@a.host"];

        Assert.Equal(["app-1@a.host", "app-1@b.host", "app-2@a.host", "app-2@b.host", "app-10@b.host"], ids.Order(InstanceIdComparer.Instance));
    }

    [Fact]
    public void Compare_PlainIds_OrdersNumbersNaturally()
    {
        string[] ids = ["app-10", "app-2", "api-1", "app-1"];

        Assert.Equal(["api-1", "app-1", "app-2", "app-10"], ids.Order(InstanceIdComparer.Instance));
    }
}
