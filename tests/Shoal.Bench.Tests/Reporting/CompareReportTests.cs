using Shoal.Bench.Reporting;

namespace Shoal.Bench.Tests.Reporting;

public sealed class CompareReportTests
{
    [Theory]
    [InlineData(100.0, 101.04, "N1", "+1.0")]
    [InlineData(5000.0, 1195.0, "N0", "-3,805")]
    [InlineData(3.5, 3.5, "N0", "0")]
    [InlineData(2.0, 1.25, "0.###", "-0.75")]
    [InlineData(1.0, 13.3335, "0.###", "+12.334")]
    [InlineData(7.0, 7.0, "0.###", "0")]
    public void Delta_PrintsTheSignedNumber(double a, double b, string format, string expected) =>
        Assert.Equal(expected, CompareReport.Delta(a, b, format));
}
