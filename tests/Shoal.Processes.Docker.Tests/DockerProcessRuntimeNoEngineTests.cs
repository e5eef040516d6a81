using System.Diagnostics;

namespace Shoal.Processes.Docker.Tests;

/// <summary>What a stack that asks for docker gets on a machine with no engine: a fast, clear failure, never a hang.</summary>
public sealed class DockerProcessRuntimeNoEngineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-docker-none-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ProcessSpec Spec() => new()
    {
        Name = "api-1",
        FileName = "/bin/true",
        WorkingDirectory = _directory,
        LogFile = Path.Combine(_directory, "api-1.log"),
        Isolation = new IsolationOptions { Image = "busybox:1" },
    };

    [Fact(Timeout = 10_000)]
    public async Task StartAsync_NobodyListensOnTheSocket_SaysWhatToStartWithinTwoSeconds()
    {
        var socket = Path.Combine(_directory, "docker.sock");
        using var runtime = new DockerProcessRuntime(TimeProvider.System, endpoint: DockerEndpoint.Resolve("unix://" + socket));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => runtime.StartAsync(Spec(), CancellationToken.None).AsTask());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.StartsWith(
            $"api-1: runtime 'docker' needs a running Docker engine at unix://{socket}: install docker.io and start dockerd, or set DOCKER_HOST (",
            ex.Message);
        Assert.False(File.Exists(Spec().LogFile), "nothing is created for a container that never started");
    }

    [Fact(Timeout = 10_000)]
    public async Task StartAsync_SocketFileWithNobodyBehindIt_FailsFastToo()
    {
        // A stale socket file (an engine that died) refuses rather than being absent.
        var socket = Path.Combine(_directory, "stale.sock");
        using (var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        }

        using var runtime = new DockerProcessRuntime(TimeProvider.System, endpoint: new Uri("unix://" + socket));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => runtime.StartAsync(Spec(), CancellationToken.None).AsTask());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Contains("needs a running Docker engine", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task StartAsync_EngineAcceptsButNeverAnswers_GivesUpAtThePingTimeout()
    {
        var socket = Path.Combine(_directory, "mute.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        listener.Listen(16);
        using var runtime = new DockerProcessRuntime(TimeProvider.System, endpoint: new Uri("unix://" + socket));
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => runtime.StartAsync(Spec(), CancellationToken.None).AsTask());

        Assert.InRange(watch.Elapsed, DockerProcessRuntime.PingTimeout - TimeSpan.FromMilliseconds(100), DockerProcessRuntime.PingTimeout + TimeSpan.FromSeconds(2));
        Assert.EndsWith("(no answer within 2 s).", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task Provider_DockerFactory_ReportsTheMissingEngineAtFirstStart()
    {
        var socket = Path.Combine(_directory, "none.sock");
        var provider = new ProcessRuntimeProvider(TimeProvider.System, null, _directory, new Dictionary<RuntimeKind, Func<IProcessRuntime>>
        {
            [RuntimeKind.Docker] = () => new DockerProcessRuntime(TimeProvider.System, endpoint: new Uri("unix://" + socket)),
        });

        var runtime = provider.Get(RuntimeKind.Docker);
        var ex = await Assert.ThrowsAsync<ProcessStartException>(() => runtime.StartAsync(Spec(), CancellationToken.None).AsTask());

        Assert.Equal("docker", runtime.Name);
        Assert.Contains("install docker.io and start dockerd, or set DOCKER_HOST", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KillLeftover_NoEngine_DoesNotThrow()
    {
        using var runtime = new DockerProcessRuntime(TimeProvider.System, endpoint: new Uri("unix://" + Path.Combine(_directory, "none.sock")));

        runtime.KillLeftover(int.MaxValue - 1, 1, []);
    }
}
