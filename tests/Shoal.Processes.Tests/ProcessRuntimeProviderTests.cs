namespace Shoal.Processes.Tests;

public sealed class ProcessRuntimeProviderTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("shoal-provider-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Theory]
    [InlineData(RuntimeKind.Process, "process+cgroup-v1")]
    [InlineData(RuntimeKind.Sandbox, "sandbox+cgroup-v1")]
    [InlineData(RuntimeKind.Oci, "oci+cgroup-v1")]
    public void Get_EachBuiltInKind_OnThisMachine(RuntimeKind kind, string name)
    {
        var provider = new ProcessRuntimeProvider(TimeProvider.System, stateDirectory: _state);

        var runtime = provider.Get(kind);

        Assert.Equal(name, runtime.Name);
        Assert.Same(runtime, provider.Get(kind));
    }

    [Fact]
    public void Get_Docker_WithoutAFactory_SaysItIsNotAvailable_AndAFactoryWins()
    {
        var provider = new ProcessRuntimeProvider(TimeProvider.System, stateDirectory: _state);
        Assert.Equal("runtime 'docker' is not available on this machine.", Assert.Throws<ProcessStartException>(() => provider.Get(RuntimeKind.Docker)).Message);

        var host = new HostProcessRuntime(TimeProvider.System);
        var withFactory = new ProcessRuntimeProvider(TimeProvider.System, stateDirectory: _state, factories: new Dictionary<RuntimeKind, Func<IProcessRuntime>> { [RuntimeKind.Docker] = () => host });
        Assert.Same(host, withFactory.Get(RuntimeKind.Docker));
    }
}
