namespace Shoal.Configuration;

/// <summary>What a section reader gets for checks across sections and services, once everything was read.</summary>
/// <param name="sections">The stack-wide sections.</param>
/// <param name="services">Each service with its mapping and sections, in file order.</param>
/// <param name="errors">Where errors are collected.</param>
public sealed class StackCheckContext(SectionSet sections, IReadOnlyList<ServiceSections> services, YamlErrors errors)
{
    /// <summary>The stack-wide sections.</summary>
    public SectionSet Sections { get; } = sections;

    /// <summary>Each service, in file order.</summary>
    public IReadOnlyList<ServiceSections> Services { get; } = services;

    /// <summary>Where errors are collected.</summary>
    public YamlErrors Errors { get; } = errors;
}
