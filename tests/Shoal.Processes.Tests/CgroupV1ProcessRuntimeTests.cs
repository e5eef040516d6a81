namespace Shoal.Processes.Tests;

/// <summary>The cgroup layer over another runtime, where cgroups are off (the case every machine can run).</summary>
public sealed class CgroupV1ProcessRuntimeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-cgroup-runtime-").FullName;
    private readonly RecordingRuntime _inner = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Name_SaysWhetherCgroupsAreUsed()
    {
        Assert.Equal("recording+cgroup-v1", new CgroupV1ProcessRuntime(_inner, useCgroups: true).Name);
        Assert.Equal("recording", new CgroupV1ProcessRuntime(_inner, useCgroups: false).Name);
    }

    [Theory]
    [InlineData(false, 128L * 1024 * 1024)]
    [InlineData(true, null)]
    public async Task StartAsync_WithoutCgroups_StartsTheResolvedProgram_AndReturnsTheInnerHandle(bool useCgroups, long? memoryBytes)
    {
        var program = Path.Combine(_directory, "bootstrap");
        await File.WriteAllTextAsync(program, "#!/bin/sh\n");
        var runtime = new CgroupV1ProcessRuntime(_inner, useCgroups);

        var handle = await runtime.StartAsync(Spec("./bootstrap") with { Limits = ResourceLimits.None with { MemoryBytes = memoryBytes } }, CancellationToken.None);

        var started = Assert.Single(_inner.Started);
        Assert.Equal(program, started.FileName);
        Assert.Equal(["a", "b"], started.Arguments);
        Assert.Same(_inner.Handle, handle);
        Assert.Empty(handle.Cgroups);
    }

    [Fact]
    public async Task StartAsync_AMissingProgram_IsAStartErrorBeforeAnythingStarts()
    {
        var runtime = new CgroupV1ProcessRuntime(_inner, useCgroups: false);

        var error = await Assert.ThrowsAsync<ProcessStartException>(() => runtime.StartAsync(Spec("./nope"), CancellationToken.None).AsTask());

        Assert.Equal($"fn/i-1: './nope' was not found (looked in {_directory} and on PATH).", error.Message);
        Assert.Empty(_inner.Started);
    }

    [Fact]
    public void KillLeftover_GoesToTheInnerRuntime()
    {
        new CgroupV1ProcessRuntime(_inner, useCgroups: false).KillLeftover(42, 7, []);

        Assert.Equal([(42, 7L)], _inner.Leftovers);
    }

    private ProcessSpec Spec(string fileName) => new()
    {
        Name = "fn/i-1",
        InstanceId = "i-1",
        FileName = fileName,
        Arguments = ["a", "b"],
        WorkingDirectory = _directory,
        LogFile = Path.Combine(_directory, "i-1.log"),
    };

    private sealed class RecordingRuntime : IProcessRuntime
    {
        public List<ProcessSpec> Started { get; } = [];

        public List<(int Pid, long StartTime)> Leftovers { get; } = [];

        public IProcessHandle Handle { get; } = new IdleHandle();

        public string Name => "recording";

        public ValueTask<IProcessHandle> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
        {
            Started.Add(spec);
            return ValueTask.FromResult(Handle);
        }

        public void KillLeftover(int pid, long startTime, IReadOnlyList<string> cgroups) => Leftovers.Add((pid, startTime));
    }

    private sealed class IdleHandle : IProcessHandle
    {
        public int Pid => 1;

        public long StartTime => 1;

        public Task<int> Exited { get; } = new TaskCompletionSource<int>().Task;

        public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Signal(int signal)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
