using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Utilities;

namespace Shoal.Delivery.Tests.Fakes;

/// <summary>A controller over fakes of service <c>app</c> (stable version 1, three replicas) and fake time.</summary>
internal sealed class DeliveryHarness : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly ChangeSignal _changes = new();

    public DeliveryHarness()
    {
        Versions = new FakeRunningVersions(_changes.Notify);
        Traffic = new FakeTrafficSplit(_changes.Notify);
        Documents = new FakeDocuments(_changes.Notify);
        Controller = new DeploymentController(Versions, Traffic, new FakeDeclarations(), Documents, Time, NullLogger.Instance) { StartTimeout = StartTimeout };
    }

    public TestTime Time { get; } = new();

    public FakeRunningVersions Versions { get; }

    public FakeTrafficSplit Traffic { get; }

    public FakeDocuments Documents { get; }

    public DeploymentController Controller { get; }

    public DeploymentStatus Status => Controller.Status("app")!;

    public IEnumerable<string> Actions => Status.History.Select(r => r.Action);

    public static DeploymentRequest Request(string type, params int[] steps) => new()
    {
        Type = type,
        Version = "2",
        Steps = steps.Length > 0 ? steps : type == "blue-green" ? [0] : [10, 50, 100],
        Interval = Interval,
        KeepOld = TimeSpan.FromMinutes(1),
        Analysis = new AnalysisThresholds { MaxErrorRate = 0.05, MinRequests = 10 },
    };

    /// <summary>Waits (on the fakes' changes, never on a clock) until <paramref name="condition"/> holds.</summary>
    public Task UntilAsync(Func<bool> condition) =>
        _changes.WaitUntilAsync(condition, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    public Task UntilPhaseAsync(DeploymentPhase phase) => UntilAsync(() => Controller.Status("app")?.Phase == phase);

    /// <summary>Healthy traffic on both versions, enough to judge a window.</summary>
    public void GoodWindow()
    {
        Traffic.Record("2", 100);
        Traffic.Record("1", 100);
    }

    public ValueTask DisposeAsync() => Controller.DisposeAsync();
}
