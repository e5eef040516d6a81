namespace Shoal.Processes;

/// <summary>What an instance uses right now, read from its cgroups.</summary>
/// <param name="Cpu">CPU time consumed since it started.</param>
/// <param name="MemoryBytes">Memory charged to it now (RSS and page cache, as its memory limit counts it).</param>
/// <param name="Processes">Tasks (processes and threads as pids counts them) alive in it.</param>
/// <param name="OomKills">Times the kernel killed one of its tasks for reaching its memory limit.</param>
public sealed record ResourceUsage(TimeSpan Cpu, long MemoryBytes, int Processes, int OomKills);
