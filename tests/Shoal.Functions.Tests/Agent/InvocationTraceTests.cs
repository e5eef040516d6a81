using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Tests.Agent;

/// <summary>The <c>Lambda-Runtime-Trace-Id</c> an invocation hands the runtime: the caller's trace, else a fresh unsampled one.</summary>
public sealed class InvocationTraceTests
{
    private readonly InvocationSlot _slot = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), new FakeTimeProvider(), () => { }, _ => { });

    [Fact]
    public async Task Invoke_WithTheCallersTraceparent_TheRuntimeGetsThatTrace()
    {
        _ = _slot.InvokeAsync("req-1", "{}"u8.ToArray(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        var next = await _slot.TakeNextAsync(CancellationToken.None);

        Assert.Equal("Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1", next.Invocation!.TraceId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("garbage")]
    public async Task Invoke_WithoutAValidTraceparent_AFreshUnsampledTrace(string? traceParent)
    {
        _ = _slot.InvokeAsync("req-1", "{}"u8.ToArray(), traceParent);

        var next = await _slot.TakeNextAsync(CancellationToken.None);

        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$", next.Invocation!.TraceId);
        _slot.Fail(InvokeResult.Error(InvokeResultKind.Crash, "Runtime.Destroyed", "done", instanceGone: true));
    }
}
