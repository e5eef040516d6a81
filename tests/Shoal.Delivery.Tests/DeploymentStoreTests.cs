using System.Text.Json;
using Shoal.Delivery.Tests.Fakes;

namespace Shoal.Delivery.Tests;

public class DeploymentStoreTests
{
    private static readonly DateTimeOffset s_started = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static void Store(DeliveryHarness h, string type, DeploymentPhase phase, int weight, int step, DateTimeOffset? switchedAt = null) =>
        h.Documents.Documents["app"] = JsonSerializer.Serialize(
            new StoredDeployment("app", "1", DeliveryHarness.Request(type), phase, weight, step, null, s_started, switchedAt, 3, [new DeploymentRecord(s_started, "ops", "start", $"{type} to 2", 0)]),
            DeploymentStore.StoredJson);

    [Fact]
    public async Task Save_ThenLoad_RoundTrips()
    {
        await using var h = new DeliveryHarness();
        var started = h.Controller.Start("app", DeliveryHarness.Request("canary"), "ops");
        await h.UntilAsync(() => h.Documents.Documents.ContainsKey("app"));

        var stored = Assert.Single(await DeploymentStore.LoadAsync(h.Documents, CancellationToken.None));
        Assert.Equal(("app", "1", "2", "canary"), (stored.Service, stored.Stable, stored.Request.Version, stored.Request.Type));
        Assert.Equal(started.StartedAt, stored.StartedAt);
        Assert.Equal([10, 50, 100], stored.Request.Steps);
        Assert.Equal("ops", stored.History[0].Actor);
    }

    [Fact]
    public async Task Restore_InFlightCanary_StartsTheNewVersionAgainAtItsStep()
    {
        await using var h = new DeliveryHarness();
        Store(h, "canary", DeploymentPhase.Progressing, weight: 50, step: 1);
        await h.Controller.RestoreAsync(CancellationToken.None);
        await h.UntilAsync(() => h.Actions.Last() == "resume");

        Assert.Equal(["start", "restore", "resume"], h.Actions);
        Assert.Equal(DeploymentPhase.Progressing, h.Status.Phase);
        Assert.Equal(50, h.Traffic.Current!.Weight);
        Assert.Equal(["start 2 x1", "wait 2"], h.Versions.Operations);

        h.GoodWindow();
        await h.Time.AdvanceAsync(DeliveryHarness.Interval);
        await h.UntilAsync(() => h.Status.Weight == 100);
    }

    [Fact]
    public async Task Restore_PausedCanary_StaysPaused()
    {
        await using var h = new DeliveryHarness();
        Store(h, "canary", DeploymentPhase.Paused, weight: 10, step: 0);
        await h.Controller.RestoreAsync(CancellationToken.None);
        await h.UntilAsync(() => h.Actions.Last() == "resume");
        Assert.Equal(DeploymentPhase.Paused, h.Status.Phase);
    }

    [Fact]
    public async Task Restore_SwitchedBlueGreen_KeepsAllTrafficOnTheNewVersion()
    {
        await using var h = new DeliveryHarness();
        Store(h, "blue-green", DeploymentPhase.Switched, weight: 100, step: 0, switchedAt: h.Time.GetUtcNow());
        await h.Controller.RestoreAsync(CancellationToken.None);
        await h.UntilAsync(() => h.Actions.Last() == "resume");
        Assert.Equal(DeploymentPhase.Switched, h.Status.Phase);
        Assert.Equal(100, h.Traffic.Current!.Weight);
    }

    [Fact]
    public async Task Restore_FinishedDeployment_IsHistoryOnly()
    {
        await using var h = new DeliveryHarness();
        Store(h, "canary", DeploymentPhase.Promoted, weight: 100, step: 2);
        await h.Controller.RestoreAsync(CancellationToken.None);

        Assert.Equal(DeploymentPhase.Promoted, h.Status.Phase);
        Assert.Empty(h.Versions.Operations);
        Assert.Equal(["start"], h.Actions);
    }

    [Fact]
    public async Task Restore_ServiceNoLongerRouted_IsSkipped()
    {
        await using var h = new DeliveryHarness();
        h.Traffic.Routing = false;
        Store(h, "canary", DeploymentPhase.Progressing, weight: 10, step: 0);
        await h.Controller.RestoreAsync(CancellationToken.None);
        Assert.Null(h.Controller.Status("app"));
    }
}
