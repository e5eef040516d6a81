using Shoal.Text;

namespace Shoal.Core.Tests.Text;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("3", 3_000)]
    [InlineData("250us", 0.25)]
    public void TryParse_ValidText_Parses(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 parsecs")]
    [InlineData("-1")]
    [InlineData("ms")]
    public void TryParse_InvalidText_Fails(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(2_000, "2s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(120_000, "2m")]
    public void Format_PrintsCompactly(double milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
