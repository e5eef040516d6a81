namespace Shoal.Configuration;

/// <summary>The typed sections section readers produced for a stack or a service, one per type.</summary>
public sealed class SectionSet
{
    private readonly object[] _sections;

    /// <summary>Holds <paramref name="sections"/>; a later section of the same type replaces an earlier one.</summary>
    public SectionSet(IEnumerable<object> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        _sections = [.. sections.GroupBy(s => s.GetType()).Select(g => g.Last())];
    }

    /// <summary>No sections: a stack read without section readers.</summary>
    public static SectionSet Empty { get; } = new([]);

    /// <summary>Every section, in the order the readers produced them.</summary>
    public IReadOnlyList<object> All => _sections;

    /// <summary>The section of type <typeparamref name="T"/>, or null when no reader produced one.</summary>
    public T? Find<T>()
        where T : class =>
        _sections.OfType<T>().FirstOrDefault();

    /// <summary>The section of type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">No reader produced one: the stack was loaded without that feature's reader.</exception>
    public T Get<T>()
        where T : class =>
        Find<T>() ?? throw new InvalidOperationException($"The stack has no {typeof(T).Name} section: it was loaded without the reader that produces it.");
}
