using System.Text.Json;
using Shoal.Files;
using Shoal.Functions.Agent.Instances;
using Shoal.Processes;

namespace Shoal.Functions.Agent;

/// <summary>Instances an agent recorded and left running when it died; <c>shoal down</c> stops them when no agent will.</summary>
public static class AgentLeftovers
{
    /// <summary>Kills every still-running instance recorded in <paramref name="stateDirectory"/> (the agent must be gone) and clears the records; returns how many were killed.</summary>
    public static int KillAll(string stateDirectory)
    {
        var file = Path.Combine(stateDirectory, "instances.json");
        if (!File.Exists(file))
        {
            return 0;
        }

        List<InstanceRecord>? records;
        try
        {
            records = JsonSerializer.Deserialize<List<InstanceRecord>>(File.ReadAllText(file), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return 0;
        }

        var killed = 0;
        foreach (var record in records ?? [])
        {
            if (ProcessIdentity.IsAlive(record.Pid, record.StartTime))
            {
                killed++;
            }

            // Group and cgroup both: a runtime's children die with it.
            PosixSignals.Send(-record.Pid, PosixSignals.Cont);
            if (ProcessIdentity.IsAlive(record.Pid, record.StartTime))
            {
                PosixSignals.Send(-record.Pid, PosixSignals.Kill);
            }

            CgroupV1.KillAndRemove(record.Cgroups);
        }

        PrivateFiles.WriteAllText(file, "[]");
        return killed;
    }
}
