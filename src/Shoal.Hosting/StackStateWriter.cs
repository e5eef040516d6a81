using Shoal.Orchestration.Lifecycle;
using Shoal.Processes;
using Shoal.Orchestration.Stack;
using Shoal.Orchestration.State;

namespace Shoal.Hosting;

/// <summary>
/// Keeps <c>.shoal/state.json</c> in step with the supervisor: the daemon and every replica's pid with its kernel start
/// time, rewritten only when they change, so <c>down</c> can stop what a dead daemon left.
/// </summary>
internal sealed class StackStateWriter(StackDefinition stack, StackSupervisor supervisor)
{
    private readonly Lock _lock = new();
    private List<ProcessRecord> _written = [];

    /// <summary>Writes the file now and after every change of the supervisor's replicas.</summary>
    public void Start()
    {
        supervisor.Changed += Write;
        Write();
    }

    /// <summary>Stops following the supervisor and deletes the file: the stack is down.</summary>
    public void Stop()
    {
        supervisor.Changed -= Write;
        StackState.Delete(stack.StateDirectory);
    }

    private void Write()
    {
        lock (_lock)
        {
            var records = supervisor.Snapshot().Services
                .SelectMany(s => s.Replicas)
                .Where(r => r.Pid is not null)
                .Select(r => new ProcessRecord(r.Id, r.Pid!.Value, r.StartTime))
                .ToList();
            if (File.Exists(StackState.PathIn(stack.StateDirectory)) && records.SequenceEqual(_written))
            {
                return;
            }

            _written = records;
            var self = Environment.ProcessId;
            new StackState
            {
                Stack = stack.Name,
                File = stack.FilePath,
                Daemon = new ProcessRecord("shoal", self, ProcessIdentity.StartTimeOf(self) ?? 0),
                Admin = stack.Gateway.Admin.ToString(),
                Gateway = stack.Gateway.Listen.ToString(),
                Instances = records,
            }.Write(stack.StateDirectory);
        }
    }
}
