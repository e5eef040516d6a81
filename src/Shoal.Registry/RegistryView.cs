namespace Shoal.Registry;

/// <summary>Every registration at one index.</summary>
public sealed record RegistryView(long Index, IReadOnlyList<RegistryEntry> Entries);
