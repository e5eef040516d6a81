using Shoal.Orchestration.Lifecycle;
using Shoal.Processes;

namespace Shoal.Orchestration.Tests.Lifecycle;

public sealed class ProcessUsageTests
{
    [Fact]
    public void Read_ThisProcess_ItsCpuMemoryAndThreads()
    {
        var pid = Environment.ProcessId;
        var before = ProcessUsage.Read(pid, ProcessIdentity.StartTimeOf(pid)!.Value)!;

        // Burn a little CPU so the second reading must be ahead of the first.
        var until = TimeProvider.System.GetTimestamp() + TimeProvider.System.TimestampFrequency / 5;
        while (TimeProvider.System.GetTimestamp() < until)
        {
        }

        var after = ProcessUsage.Read(pid, ProcessIdentity.StartTimeOf(pid)!.Value)!;
        Assert.True(after.Cpu > before.Cpu, $"{after.Cpu} after {before.Cpu}");
        Assert.InRange(after.MemoryBytes, 1L << 20, Environment.WorkingSet * 4);
        Assert.True(after.Processes > 1, "a .NET process has several threads");
    }

    [Fact]
    public void Read_StartTimeOfAnotherProcess_Null()
    {
        var pid = Environment.ProcessId;

        Assert.Null(ProcessUsage.Read(pid, ProcessIdentity.StartTimeOf(pid)!.Value + 1));
    }
}
