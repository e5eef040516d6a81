namespace Shoal.FunctionalTests;

/// <summary>
/// Tests that assert how soon something happens (a rejection, a TTL expiry) run alone, after the parallel ones, so two
/// shared cores busy with other stacks do not decide them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimedCollection
{
    public const string Name = "timed";
}
