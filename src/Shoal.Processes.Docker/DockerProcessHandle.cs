using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Shoal.Files;

namespace Shoal.Processes.Docker;

/// <summary>A container started by <see cref="DockerProcessRuntime"/>: its init process on the host, its output pump, its exit.</summary>
internal sealed class DockerProcessHandle : IProcessHandle
{
    private static readonly TimeSpan PumpDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly DockerClient _client;
    private readonly string _id;
    private readonly ContainerCgroups _cgroups;
    private readonly TimeProvider _timeProvider;
    private readonly Task _pump;
    private volatile bool _oomKilled;
    private volatile bool _paused;

    public DockerProcessHandle(DockerClient client, string id, int pid, long startTime, ContainerCgroups cgroups, MultiplexedStream output, string logFile, TimeProvider timeProvider)
    {
        _client = client;
        _id = id;
        _cgroups = cgroups;
        _timeProvider = timeProvider;
        Pid = pid;
        StartTime = startTime;
        _pump = PumpAsync(output, logFile);
        Exited = WaitAsync();
    }

    /// <summary>The container's id on the engine.</summary>
    public string ContainerId => _id;

    public int Pid { get; }

    public long StartTime { get; }

    public IReadOnlyList<string> Cgroups => _cgroups.Paths;

    public bool OomKilled => _oomKilled;

    public Task<int> Exited { get; }

    public ResourceUsage? ReadUsage() => Exited.IsCompleted ? null : _cgroups.Paths.Count > 0 ? _cgroups.Read() : ReadStats();

    public void Signal(int signal)
    {
        if (!TryEngine(token => _client.Containers.KillContainerAsync(_id, new ContainerKillParameters { Signal = signal.ToString(CultureInfo.InvariantCulture) }, token))
            && ProcessIdentity.IsAlive(Pid, StartTime))
        {
            // No engine to ask: the init process is ours to signal directly (the daemon runs as root beside the engine).
            PosixSignals.Send(Pid, signal);
        }
    }

    public void Pause()
    {
        if (TryEngine(token => _client.Containers.PauseContainerAsync(_id, token)))
        {
            _paused = true;
        }
    }

    public void Resume()
    {
        TryEngine(token => _client.Containers.UnpauseContainerAsync(_id, token));
        _paused = false;
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!Exited.IsCompleted)
        {
            // A frozen container cannot act on SIGTERM until it is thawed.
            if (_paused)
            {
                Resume();
            }

            Signal(PosixSignals.Term);
            try
            {
                await Exited.WaitAsync(grace, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Signal(PosixSignals.Kill);
            }
        }

        await Exited.ConfigureAwait(false);
    }

    /// <remarks>A container that is still running keeps running (as a host process outlives its handle); a later run finds it by its label.</remarks>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<int> WaitAsync()
    {
        int code;
        try
        {
            var result = await _client.Containers.WaitContainerAsync(_id, CancellationToken.None).ConfigureAwait(false);
            code = (int)result.StatusCode;
        }
        catch (Exception ex) when (DockerProcessRuntime.IsEngineFailure(ex))
        {
            // The engine went away: the init process is what is left to watch.
            code = await WaitForPidAsync().ConfigureAwait(false);
        }

        try
        {
            using var deadline = new CancellationTokenSource(DockerProcessRuntime.CallTimeout, _timeProvider);
            var inspect = await _client.Containers.InspectContainerAsync(_id, deadline.Token).ConfigureAwait(false);
            _oomKilled = inspect.State?.OOMKilled == true;
        }
        catch (Exception ex) when (DockerProcessRuntime.IsEngineFailure(ex))
        {
        }

        try
        {
            await _pump.WaitAsync(PumpDrainTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        TryEngine(token => _client.Containers.RemoveContainerAsync(_id, new ContainerRemoveParameters { Force = true }, token));
        return code;
    }

    private async Task<int> WaitForPidAsync()
    {
        while (Pid > 0 && ProcessIdentity.IsAlive(Pid, StartTime))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), _timeProvider).ConfigureAwait(false);
        }

        // Its exit status went to the engine's shim, not to us.
        return 255;
    }

    private static async Task PumpAsync(MultiplexedStream output, string logFile)
    {
        using (output)
        {
            try
            {
                await using var log = PrivateFiles.OpenWrite(logFile, FileMode.Append);
                var buffer = new byte[16 * 1024];
                while (true)
                {
                    var read = await output.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None).ConfigureAwait(false);
                    if (read.EOF)
                    {
                        break;
                    }

                    await log.WriteAsync(buffer.AsMemory(0, read.Count)).ConfigureAwait(false);
                    await log.FlushAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or UnauthorizedAccessException)
            {
                // The engine closed the stream or the log is gone: the container's exit is still read by WaitAsync.
            }
        }
    }

    /// <summary>The engine's one-shot stats, for a container whose cgroups this machine cannot read (a remote engine).</summary>
    private ResourceUsage? ReadStats()
    {
        var latest = new LatestStats();
        TryEngine(token => _client.Containers.GetContainerStatsAsync(_id, new ContainerStatsParameters { Stream = false, OneShot = true }, latest, token));
        var stats = latest.Value;
        return stats is null
            ? null
            : new ResourceUsage(
                TimeSpan.FromTicks((long)((stats.CPUStats?.CPUUsage?.TotalUsage ?? 0) / 100)),
                (long)(stats.MemoryStats?.Usage ?? 0),
                (int)(stats.PidsStats?.Current ?? 0),
                stats.MemoryStats?.Stats?.TryGetValue("oom_kill", out var oomKills) == true ? (int)oomKills : 0);
    }

    // Progress<T> would post the report to the thread pool, after the call has returned.
    private sealed class LatestStats : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Value { get; private set; }

        public void Report(ContainerStatsResponse value) => Value = value;
    }

    private bool TryEngine(Func<CancellationToken, Task> call)
    {
        try
        {
            using var deadline = new CancellationTokenSource(DockerProcessRuntime.CallTimeout, _timeProvider);
            call(deadline.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (Exception ex) when (DockerProcessRuntime.IsEngineFailure(ex))
        {
            return false;
        }
    }
}
