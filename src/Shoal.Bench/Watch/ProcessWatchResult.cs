namespace Shoal.Bench.Watch;

/// <summary>What one watched process did during the run.</summary>
/// <param name="Pid">The pid.</param>
/// <param name="Exited">True when it went away during the run.</param>
/// <param name="CpuPercent">CPU % (100 = one core).</param>
/// <param name="RssBytes">Resident memory.</param>
/// <param name="OpenFiles">Open file descriptors.</param>
public sealed record ProcessWatchResult(int Pid, bool Exited, WatchFigures CpuPercent, WatchFigures RssBytes, WatchFigures OpenFiles);
