namespace Shoal.Configuration;

/// <summary>One service as cross-checks see it: its name, its mapping (to locate errors) and its sections.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Fields">The service's mapping.</param>
/// <param name="Sections">The sections readers produced for it.</param>
public sealed record ServiceSections(string Name, YamlFields Fields, SectionSet Sections);
