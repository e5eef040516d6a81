using Shoal.Configuration;

namespace Shoal.Core.Tests.Configuration;

public sealed class SectionSetTests
{
    private sealed record First(int Value);

    private sealed record Second(string Value);

    [Fact]
    public void Get_FindsASectionByItsType()
    {
        var sections = new SectionSet([new First(1), new Second("two")]);

        Assert.Equal(new First(1), sections.Get<First>());
        Assert.Equal(new Second("two"), sections.Get<Second>());
        Assert.Equal(2, sections.All.Count);
    }

    [Fact]
    public void Find_ReturnsNull_AndGetThrows_WhenNoReaderProducedTheSection()
    {
        Assert.Null(SectionSet.Empty.Find<First>());
        var error = Assert.Throws<InvalidOperationException>(() => SectionSet.Empty.Get<First>());

        Assert.Equal("The stack has no First section: it was loaded without the reader that produces it.", error.Message);
    }

    [Fact]
    public void Constructor_ALaterSectionOfTheSameType_ReplacesTheEarlier()
    {
        var sections = new SectionSet([new First(1), new First(2)]);

        Assert.Equal(new First(2), sections.Get<First>());
        Assert.Single(sections.All);
    }
}
