using Shoal.Testing;

namespace Shoal.Processes.Docker.Tests;

/// <summary>One private dockerd for the engine tests, with the busybox image, and the runtime pointed at it.</summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    private DockerEngine? _engine;

    public DockerEngine Engine => _engine ?? throw new InvalidOperationException("the engine did not start");

    /// <summary>The scope the runtime marks its containers with (a stack's, from a temporary state directory).</summary>
    public ProcessScope Scope { get; } = ProcessScope.ForStateDirectory(Path.Combine(Path.GetTempPath(), "shoal-docker-tests-" + Environment.ProcessId));

    public DockerProcessRuntime Runtime { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _engine = await DockerEngine.StartAsync();
        Runtime = new DockerProcessRuntime(TimeProvider.System, Scope, _engine.Endpoint);
    }

    public async Task DisposeAsync()
    {
        Runtime?.Dispose();
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }
}
