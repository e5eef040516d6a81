using Shoal.Orchestration.Lifecycle;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class MemorySizeTests
{
    [Theory]
    [InlineData(256L << 20, "256 MiB")]
    [InlineData(1536L << 20, "1.5 GiB")]
    [InlineData(512, "512 B")]
    [InlineData(64L << 20, "64 MiB")]
    public void Format_Bytes_BinaryUnitsAsLimitsAreWritten(long bytes, string expected)
    {
        Assert.Equal(expected, MemorySize.Format(bytes));
    }
}
