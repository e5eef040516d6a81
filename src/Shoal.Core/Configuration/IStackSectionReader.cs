namespace Shoal.Configuration;

/// <summary>
/// Reads one feature's part of the stack file: top-level keys (<c>gateway:</c>) and keys of each service
/// (<c>load_balancing:</c>). The stack loader composes readers, so a new feature adds a reader instead of growing the loader.
/// </summary>
/// <remarks>
/// Each read returns the feature's typed section (or null for none); the loader stores it by its type in
/// <see cref="SectionSet"/>, where the feature finds it again (<c>stack.Sections.Get&lt;GatewayDefinition&gt;()</c>).
/// Readers report problems to the context's <see cref="YamlErrors"/> and never throw for a bad file.
/// </remarks>
public interface IStackSectionReader
{
    /// <summary>The top-level keys this reader owns; the loader accepts them and lists them in unknown-key messages.</summary>
    IReadOnlyList<StackKey> TopLevelKeys { get; }

    /// <summary>The keys of a service this reader owns.</summary>
    IReadOnlyList<StackKey> ServiceKeys { get; }

    /// <summary>Reads the reader's top-level keys; returns the stack-wide section, or null for none.</summary>
    object? ReadStack(StackReadContext context);

    /// <summary>Reads the reader's keys of one service; returns that service's section, or null for none.</summary>
    object? ReadService(ServiceReadContext context);

    /// <summary>Checks that need every section and every service, once all were read.</summary>
    void Check(StackCheckContext context);
}
