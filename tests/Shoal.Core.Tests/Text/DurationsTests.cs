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
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("-1e20")]
    [InlineData("1e400")]
    public void TryParse_InvalidText_Fails(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(2_000, "2s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(86_400_000, "1d")]
    [InlineData(604_800_000, "7d")]
    public void Format_PrintsCompactly(double milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData("1e20")]
    [InlineData("99999999999999999999d")]
    [InlineData("1e15")]
    public void TryParse_TooLargeForATimeSpan_ReadsAsMaxValue(string text)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.MaxValue, value);
    }

    [Theory]
    [InlineData("60d", "'60d' is out of range; allowed 100ms to 1d")]
    [InlineData("1e20", "'1e20' is out of range; allowed 100ms to 1d")]
    [InlineData("NaN", "'NaN' is not a duration from 100ms to 1d such as 500ms, 5s or 1m")]
    public void TryParse_WithRange_SaysWhatIsAllowed(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), out _, out var error));
        Assert.Equal(expected, error);
    }
}
