namespace Shoal.Processes.Tests;

/// <summary>Runs the tests that measure CPU and memory one at a time: on two cores, parallel busy loops would skew each other.</summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class RealRuntimes
{
    public const string Collection = "real runtimes";
}
