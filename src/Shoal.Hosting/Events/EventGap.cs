namespace Shoal.Hosting.Events;

/// <summary>Ids a reader asked for that the ring no longer holds.</summary>
/// <param name="FirstLost">The first missing id.</param>
/// <param name="LastLost">The last missing id; the reader continues after it.</param>
/// <param name="Reset">The reader's id is newer than any this daemon gave out: it comes from an earlier daemon.</param>
internal sealed record EventGap(long FirstLost, long LastLost, bool Reset);
