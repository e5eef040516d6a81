using Shoal.Configuration;

namespace Shoal.Testing.Configuration;

/// <summary>What a section reader read through <see cref="SectionReaderHarness"/>.</summary>
/// <param name="Stack">The stack-wide section, if the reader produced one.</param>
/// <param name="ServicesOptional">True when the reader made a stack without services valid.</param>
/// <param name="Services">Each service with its section, in file order.</param>
public sealed record SectionReadResult(SectionSet Stack, bool ServicesOptional, IReadOnlyList<ServiceSections> Services)
{
    /// <summary>The section of the service named <paramref name="name"/>.</summary>
    public T Service<T>(string name)
        where T : class =>
        Services.Single(s => s.Name == name).Sections.Get<T>();
}
