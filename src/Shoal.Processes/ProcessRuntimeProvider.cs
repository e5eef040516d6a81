namespace Shoal.Processes;

/// <summary>The runtimes of this machine, each created on first use and then shared.</summary>
/// <param name="timeProvider">The clock for stop grace periods.</param>
/// <param name="scope">The stack's scope, marking every process any runtime starts; null for none.</param>
/// <param name="stateDirectory">Where runtimes keep what they generate (OCI bundles, unpacked images); null for a temporary directory.</param>
/// <param name="factories">Runtimes that live in other assemblies (Docker), by kind; they take precedence over the built-in ones.</param>
public sealed class ProcessRuntimeProvider(
    TimeProvider timeProvider,
    ProcessScope? scope = null,
    string? stateDirectory = null,
    IReadOnlyDictionary<RuntimeKind, Func<IProcessRuntime>>? factories = null) : IProcessRuntimeProvider
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

    /// <summary>Where runtimes keep what they generate.</summary>
    public string StateDirectory { get; } = stateDirectory ?? Path.Combine(Path.GetTempPath(), "shoal-runtimes");

    private IProcessRuntime Create(RuntimeKind kind) => factories?.TryGetValue(kind, out var factory) == true ? factory() : kind switch
    {
        RuntimeKind.Process => CgroupV1ProcessRuntime.CreateDefault(timeProvider, scope),
        RuntimeKind.Sandbox => SandboxProcessRuntime.Create(timeProvider, scope),
        RuntimeKind.Oci => OciProcessRuntime.Create(timeProvider, scope, Path.Combine(StateDirectory, "oci")),
        _ => throw new ProcessStartException($"runtime '{RuntimeNames.Of(kind)}' is not available on this machine."),
    };
}
