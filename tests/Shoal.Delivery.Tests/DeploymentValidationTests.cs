using Shoal.Delivery.Tests.Fakes;

namespace Shoal.Delivery.Tests;

public class DeploymentValidationTests
{
    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Start_InvalidRequest_Is400NamingTheField(DeploymentRequest request, string message)
    {
        await using var h = new DeliveryHarness();
        var ex = Assert.Throws<DeploymentException>(() => h.Controller.Start("app", request, "test"));
        Assert.Equal(400, ex.Status);
        Assert.Equal(message, ex.Message);
        Assert.Null(h.Controller.Status("app"));
    }

    public static TheoryData<DeploymentRequest, string> Invalid() => new()
    {
        { DeliveryHarness.Request("big-bang"), "type: 'big-bang' is not canary, blue-green or rolling." },
        { DeliveryHarness.Request("canary") with { Version = "1" }, "version: 1 is already the stable version." },
        { DeliveryHarness.Request("canary") with { Version = " " }, "version: give the new version (1 to 64 characters)." },
        { DeliveryHarness.Request("canary", 50, 20), "steps: [50, 20] must be ascending weights from 0 to 100." },
        { DeliveryHarness.Request("canary", 10, 101), "steps: [10, 101] must be ascending weights from 0 to 100." },
        { DeliveryHarness.Request("rolling") with { MaxSurge = 0 }, "max_surge (0) and max_unavailable (0) go from 0 to 64 and cannot both be 0." },
        { DeliveryHarness.Request("canary") with { Replicas = 65 }, "replicas: 65 is out of range; use 1 to 64." },
        { DeliveryHarness.Request("canary") with { Interval = TimeSpan.FromMilliseconds(50) }, "interval must be at least 100ms, max_error_rate from 0 to 1 and min_requests not negative." },
    };

    [Fact]
    public async Task Start_ServiceTheGatewayDoesNotRoute_Is404()
    {
        await using var h = new DeliveryHarness();
        h.Traffic.Routing = false;
        var ex = Assert.Throws<DeploymentException>(() => h.Controller.Start("app", DeliveryHarness.Request("canary"), "test"));
        Assert.Equal(404, ex.Status);
        Assert.Equal("The gateway routes no service 'app'.", ex.Message);
    }

    [Fact]
    public async Task Start_ServiceWithoutReplicas_Is404()
    {
        await using var h = new DeliveryHarness();
        h.Versions.Stable = null;
        var ex = Assert.Throws<DeploymentException>(() => h.Controller.Start("app", DeliveryHarness.Request("canary"), "test"));
        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task Start_WhileAnotherIsActive_Is409()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        var ex = Assert.Throws<DeploymentException>(() => h.Controller.Start("app", DeliveryHarness.Request("canary") with { Version = "3" }, "test"));
        Assert.Equal(409, ex.Status);
        Assert.StartsWith("A canary of 'app' to 2 is ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_NothingInProgress_Is409()
    {
        await using var h = new DeliveryHarness();
        var ex = await Assert.ThrowsAsync<DeploymentException>(() => h.Controller.ApplyAsync("app", "promote", "test", null, CancellationToken.None));
        Assert.Equal(409, ex.Status);
        Assert.Equal("No deployment of 'app' is in progress to promote.", ex.Message);
    }

    [Fact]
    public async Task Apply_UnknownOperation_Is400()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("canary"), "test");
        var ex = await Assert.ThrowsAsync<DeploymentException>(() => h.Controller.ApplyAsync("app", "explode", "test", null, CancellationToken.None));
        Assert.Equal(400, ex.Status);
        Assert.Equal("'explode' is not an operation: use promote, rollback, abort, pause, resume or switch.", ex.Message);
    }
}
