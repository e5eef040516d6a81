using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Agent.Instances;

/// <summary>The instance's START/END/REPORT lines (see <see cref="InvocationReport"/>).</summary>
internal sealed partial class FunctionInstance
{
    private InvocationReport? _report;
    private InstanceMemory? _memory;

    private async Task<InvokeResult> ReportAsync(string requestId, Task<InvokeResult> invocation)
    {
        var result = await invocation.ConfigureAwait(false);
        if (_report is { } report && !result.NotRun)
        {
            report.Ended(requestId, _memory?.Read());
        }

        return result;
    }

    /// <summary>The runtime waits in <c>next</c> with nothing to do: END and REPORT go out, and an idle-freezing instance arms its freeze.</summary>
    private void TurnedIdle()
    {
        _report?.Flush();
        _freezeTimer?.Change(FreezeDelay, Timeout.InfiniteTimeSpan);
    }
}
