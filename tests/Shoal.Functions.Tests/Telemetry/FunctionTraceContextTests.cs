using System.Diagnostics;
using Shoal.Functions.Agent.Protocol.Telemetry;

namespace Shoal.Functions.Tests.Telemetry;

public sealed class FunctionTraceContextTests
{
    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=0")]
    public void ToLambdaTraceId_IsTheSameTraceInXRaysForm_HonouringTheSampledFlag(string traceParent, string expected)
    {
        Assert.Equal(expected, FunctionTraceContext.ToLambdaTraceId(traceParent));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01;Root=1-x")]
    [InlineData("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")]
    public void ToLambdaTraceId_NotATraceparent_IsNull(string? traceParent)
    {
        Assert.Null(FunctionTraceContext.ToLambdaTraceId(traceParent));
    }

    [Fact]
    public void Current_AnotherSourcesActivity_IsNotPropagated()
    {
        using var other = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start();

        Assert.Null(FunctionTraceContext.Current());
    }
}
