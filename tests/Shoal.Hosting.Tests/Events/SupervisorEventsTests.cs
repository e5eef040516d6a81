using Shoal.Events;
using Shoal.Hosting.Events;
using Shoal.Orchestration.Lifecycle;

namespace Shoal.Hosting.Tests.Events;

public sealed class SupervisorEventsTests
{
    private readonly List<PlatformEvent> _published = [];
    private StackSnapshot _current = new("shop", []);

    [Fact]
    public void OnChanged_CrashAndRestart_PublishesStoppedRestartedStartedHealthyInOrder()
    {
        var events = Publisher();
        Step(events, Replica(ReplicaState.Pending));
        Step(events, Replica(ReplicaState.Starting, pid: 100));
        Step(events, Replica(ReplicaState.Healthy, pid: 100));
        Step(events, Replica(ReplicaState.Restarting, exitCode: 137) with { LastExitReason = "signaled", Message = "exited with code 137; restarting in 1s" });
        Step(events, Replica(ReplicaState.Restarting, exitCode: 137, restarts: 1));
        Step(events, Replica(ReplicaState.Starting, pid: 200, restarts: 1));
        Step(events, Replica(ReplicaState.Healthy, pid: 200, restarts: 1));

        Assert.Equal(
            [
                PlatformEventTypes.InstanceStarted, PlatformEventTypes.InstanceHealthy, PlatformEventTypes.InstanceStopped,
                PlatformEventTypes.InstanceRestarted, PlatformEventTypes.InstanceStarted, PlatformEventTypes.InstanceHealthy,
            ],
            _published.Select(e => e.Type));
        Assert.All(_published, e => Assert.Equal("web-1@shop.host", e.Instance));
        Assert.All(_published, e => Assert.Equal("v2", e.Version));
        var stopped = _published[2];
        Assert.Equal(137, stopped.Details!["exit_code"]);
        Assert.Equal("signaled", stopped.Details["reason"]);
        Assert.Equal("restarting", stopped.Details["state"]);
    }

    [Fact]
    public void OnChanged_OomAndUnhealthy_PublishedOnceEach()
    {
        var events = Publisher();
        Step(events, Replica(ReplicaState.Healthy, pid: 100));
        Step(events, Replica(ReplicaState.Unhealthy, pid: 100) with { Message = "GET /health: 500" });
        Step(events, Replica(ReplicaState.Unhealthy, pid: 100) with { Message = "GET /health: 503" });
        Step(events, Replica(ReplicaState.Restarting, exitCode: 137) with { OomKills = 1 });

        Assert.Equal(
            [PlatformEventTypes.InstanceHealthy, PlatformEventTypes.InstanceUnhealthy, PlatformEventTypes.InstanceOomKilled, PlatformEventTypes.InstanceStopped],
            _published.Select(e => e.Type));
        Assert.Equal("GET /health: 500", _published[1].Message);
    }

    [Fact]
    public void OnChanged_DesiredChanges_PublishesScaledWithCounts()
    {
        var events = Publisher();
        Step(events, Replica(ReplicaState.Healthy, pid: 100));
        _current = new StackSnapshot("shop", [new ServiceSnapshot("web", 3, _current.Services[0].Replicas)]);
        events.OnChanged();

        var scaled = Assert.Single(_published, e => e.Type == PlatformEventTypes.ServiceScaled);
        Assert.Equal("web", scaled.Service);
        Assert.Equal(1, scaled.Details!["from"]);
        Assert.Equal(3, scaled.Details["to"]);
    }

    private SupervisorEvents Publisher() => new(() => _current, _ => "v2", new Recorder(_published), "@shop.host");

    private void Step(SupervisorEvents events, ReplicaSnapshot replica)
    {
        _current = new StackSnapshot("shop", [new ServiceSnapshot("web", 1, [replica])]);
        events.OnChanged();
    }

    private static ReplicaSnapshot Replica(ReplicaState state, int? pid = null, int? exitCode = null, int restarts = 0) =>
        new() { Service = "web", Id = "web-1", Index = 1, State = state, Pid = pid, LastExitCode = exitCode, Restarts = restarts, Port = 5000 };

    private sealed class Recorder(List<PlatformEvent> published) : IPlatformEvents
    {
        public void Publish(PlatformEvent platformEvent) => published.Add(platformEvent);
    }
}
