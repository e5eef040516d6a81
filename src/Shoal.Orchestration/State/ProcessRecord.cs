using System.Text.Json.Serialization;
using Shoal.Processes;

namespace Shoal.Orchestration.State;

/// <summary>A process Shoal started, identified by pid and kernel start time.</summary>
/// <param name="Id">The instance id, or <c>shoal</c> for the daemon.</param>
/// <param name="Pid">The pid.</param>
/// <param name="StartTime">The kernel start time of that pid.</param>
public sealed record ProcessRecord(string Id, int Pid, long StartTime)
{
    /// <summary>True while this very process is alive.</summary>
    [JsonIgnore]
    public bool IsAlive => ProcessIdentity.IsAlive(Pid, StartTime);
}
