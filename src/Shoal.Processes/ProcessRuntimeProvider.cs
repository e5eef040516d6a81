namespace Shoal.Processes;

/// <summary>The runtimes of this machine, each created on first use and then shared.</summary>
/// <param name="timeProvider">The clock for stop grace periods.</param>
/// <param name="scope">The stack's scope, marking every process any runtime starts; null for none.</param>
public sealed class ProcessRuntimeProvider(TimeProvider timeProvider, ProcessScope? scope = null) : IProcessRuntimeProvider
{
    private readonly Lock _lock = new();
    private readonly Dictionary<RuntimeKind, IProcessRuntime> _runtimes = [];

    /// <inheritdoc />
    public IProcessRuntime Get(RuntimeKind kind)
    {
        lock (_lock)
        {
            if (!_runtimes.TryGetValue(kind, out var runtime))
            {
                runtime = Create(kind);
                _runtimes[kind] = runtime;
            }

            return runtime;
        }
    }

    private IProcessRuntime Create(RuntimeKind kind) => kind switch
    {
        RuntimeKind.Process => CgroupV1ProcessRuntime.CreateDefault(timeProvider, scope),
        _ => throw new ProcessStartException($"runtime '{RuntimeNames.Of(kind)}' is not available on this machine."),
    };
}
