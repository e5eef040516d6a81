namespace Shoal.Delivery.Rollouts;

/// <summary>The names of the built-in rollouts, as a deployment request's <c>type</c> gives them.</summary>
public static class RolloutTypes
{
    /// <summary>Traffic moves to the new version in weighted steps, each judged against the stable version.</summary>
    public const string Canary = "canary";

    /// <summary>The new version starts beside the old one with no traffic, then takes all of it at once on <c>switch</c>.</summary>
    public const string BlueGreen = "blue-green";

    /// <summary>The stable replicas are replaced by new ones a batch at a time.</summary>
    public const string Rolling = "rolling";

    /// <summary>Every built-in name.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>([Canary, BlueGreen, Rolling], StringComparer.Ordinal);
}
