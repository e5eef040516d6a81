namespace Shoal.Gateway.Tests.Telemetry;

/// <summary>
/// Tests that listen to the gateway's spans, or need nobody listening: a listener is process-wide, so these run alone,
/// after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "Tracing";
}
