using Shoal.Processes;

namespace Shoal.Orchestration.Tests.Lifecycle;

/// <summary>Hands out one fake runtime for every kind, except the kinds told to be missing.</summary>
internal sealed class FakeRuntimeProvider(IProcessRuntime runtime) : IProcessRuntimeProvider
{
    public Dictionary<RuntimeKind, string> Missing { get; } = [];

    public List<RuntimeKind> Asked { get; } = [];

    public IProcessRuntime Get(RuntimeKind kind)
    {
        Asked.Add(kind);
        return Missing.TryGetValue(kind, out var why) ? throw new ProcessStartException(why) : runtime;
    }
}
