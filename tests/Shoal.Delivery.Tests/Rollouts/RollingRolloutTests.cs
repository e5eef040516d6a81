using Shoal.Delivery.Tests.Fakes;

namespace Shoal.Delivery.Tests.Rollouts;

public class RollingRolloutTests
{
    [Fact]
    public async Task Run_SurgeOne_NewReplicaHealthyBeforeEachOldOneGoes()
    {
        await using var h = new DeliveryHarness();
        h.Controller.Start("app", DeliveryHarness.Request("rolling"), "test");
        await h.UntilPhaseAsync(DeploymentPhase.Promoted);

        Assert.Equal(
            [
                "start 2 x0",
                "scale 2 x1", "wait 2", "scale-stable 2",
                "scale 2 x2", "wait 2", "scale-stable 1",
                "scale 2 x3", "wait 2", "scale-stable 0",
                "promote 2",
            ],
            h.Versions.Operations);
        Assert.Equal(["start", "step", "step", "step", "promote"], h.Actions);
        Assert.Equal(["1 of 3 replicas replaced", "2 of 3 replicas replaced", "3 of 3 replicas replaced"], h.Status.History.Where(r => r.Action == "step").Select(r => r.Reason));

        // Traffic follows the replica counts: a rolling update never sets a weighted split.
        Assert.All(h.Traffic.History, Assert.Null);
    }

    [Fact]
    public async Task Run_MaxUnavailable_OldReplicasGoFirst()
    {
        await using var h = new DeliveryHarness();
        h.Versions.StableCount = 2;
        h.Controller.Start("app", DeliveryHarness.Request("rolling") with { MaxSurge = 1, MaxUnavailable = 1 }, "test");
        await h.UntilPhaseAsync(DeploymentPhase.Promoted);

        Assert.Equal(["start 2 x0", "scale-stable 1", "scale 2 x2", "wait 2", "scale-stable 0", "promote 2"], h.Versions.Operations);
    }

    [Fact]
    public async Task Run_NewReplicasNeverHealthy_BringsOldOnesBackThenStopsNewOnes()
    {
        await using var h = new DeliveryHarness();
        h.Versions.Healthy = false;
        h.Controller.Start("app", DeliveryHarness.Request("rolling") with { MaxUnavailable = 1 }, "test");
        await h.Time.AdvanceAsync(DeliveryHarness.StartTimeout);
        await h.UntilPhaseAsync(DeploymentPhase.RolledBack);

        Assert.Equal(["start 2 x0", "scale-stable 2", "scale 2 x2", "wait 2", "scale-stable 3", "wait-stable", "stop 2"], h.Versions.Operations);
        Assert.StartsWith("new replicas of 2 did not become healthy within ", h.Status.Reason, StringComparison.Ordinal);
    }
}
