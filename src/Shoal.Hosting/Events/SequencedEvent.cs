using Shoal.Events;

namespace Shoal.Hosting.Events;

/// <summary>An event with its place in the stream: ids start at 1 with each daemon and grow by one.</summary>
internal sealed record SequencedEvent(long Id, PlatformEvent Event);
