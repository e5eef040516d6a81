namespace Shoal.Bench.Watch;

/// <summary>Start, peak, end and mean of one measure.</summary>
public sealed record WatchFigures(double Start, double Peak, double End, double Mean);
