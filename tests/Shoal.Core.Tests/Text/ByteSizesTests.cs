using Shoal.Text;

namespace Shoal.Core.Tests.Text;

public sealed class ByteSizesTests
{
    [Theory]
    [InlineData("512", 512L)]
    [InlineData("1B", 1L)]
    [InlineData("100MB", 100L << 20)]
    [InlineData("256M", 256L << 20)]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("1 GiB", 1L << 30)]
    [InlineData("2t", 2L << 40)]
    [InlineData("99999999999999999999K", long.MaxValue)]
    public void TryParse_ReadsTheUnitsConfigurationFilesWrite(string text, long expected)
    {
        Assert.True(ByteSizes.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("-1M")]
    [InlineData("1.5G")]
    [InlineData("10X")]
    [InlineData("1MiBB")]
    public void TryParse_RefusesWhatIsNotASize(string text) => Assert.False(ByteSizes.TryParse(text, out _));
}
