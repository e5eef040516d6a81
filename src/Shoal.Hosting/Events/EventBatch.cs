namespace Shoal.Hosting.Events;

/// <summary>What a reader gets from <see cref="PlatformEventBus.Read"/>: the events after its cursor, and what it missed.</summary>
/// <param name="Events">In id order.</param>
/// <param name="Gap">The ids it asked for that are gone, or null.</param>
/// <param name="Cursor">The id to read after next time.</param>
internal sealed record EventBatch(IReadOnlyList<SequencedEvent> Events, EventGap? Gap, long Cursor);
