namespace Shoal.Registry;

/// <summary>The events after the index a watch asked for are no longer kept: read the registry again and watch from its index.</summary>
public sealed class RegistryHistoryLostException(long asked, long oldest)
    : Exception($"the registry no longer keeps events after index {asked}; the oldest it has is {oldest}. Read the services again and watch from their index.")
{
    /// <summary>The oldest index whose successors are still kept.</summary>
    public long Oldest { get; } = oldest;
}
