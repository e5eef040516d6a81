using System.Diagnostics;
using System.Globalization;
using Shoal.Testing;

namespace Shoal.Processes.Tests;

/// <summary>A temporary working directory, a runtime under test, and specs and waits shared by the real-runtime tests.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public abstract class RuntimeTestBase : IAsyncLifetime
{
    private readonly List<IProcessHandle> _handles = [];

    protected RuntimeTestBase()
    {
        // The directory must be reachable by an unprivileged user (the user tests): 0755 like a function's code.
        Directory = System.IO.Directory.CreateTempSubdirectory("shoal-rt-").FullName;
        File.SetUnixFileMode(Directory, (UnixFileMode)0b111_101_101);
    }

    protected string Directory { get; }

    protected abstract IProcessRuntime Runtime { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var handle in _handles)
        {
            await handle.StopAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            await handle.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    protected ProcessSpec Shell(string script, ResourceLimits? limits = null) => new()
    {
        Name = "t-" + Guid.NewGuid().ToString("N")[..8],
        FileName = "/bin/sh",
        Arguments = ["-c", script],
        WorkingDirectory = Directory,
        LogFile = Path.Combine(Directory, "out-" + Guid.NewGuid().ToString("N")[..8] + ".log"),
        Limits = limits ?? ResourceLimits.None,
    };

    protected async Task<IProcessHandle> StartAsync(ProcessSpec spec)
    {
        var handle = await Runtime.StartAsync(spec, CancellationToken.None);
        _handles.Add(handle);
        return handle;
    }

    /// <summary>Runs a script to its end (bounded) and returns its output.</summary>
    protected async Task<string> RunAsync(ProcessSpec spec)
    {
        var handle = await StartAsync(spec);
        var exit = await handle.Exited.WaitAsync(TimeSpan.FromSeconds(20));
        var output = await File.ReadAllTextAsync(spec.LogFile);
        Assert.True(exit == 0, $"exit {exit}: {output}");
        return output;
    }

    protected static long? ReadCounter(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>CPU the process used over a window of <paramref name="window"/>, as a fraction of one CPU.</summary>
    protected static async Task<double> CpuShareAsync(IProcessHandle handle, TimeSpan window)
    {
        // Measure from the first tick of work: the window must not include the start-up.
        await Poll.UntilAsync(() => handle.ReadUsage()!.Cpu > TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10), "the busy loop to run");
        var before = handle.ReadUsage()!.Cpu;
        var watch = Stopwatch.StartNew();
        await Poll.UntilAsync(() => watch.Elapsed >= window, window + TimeSpan.FromSeconds(5), "the measuring window to pass");
        var after = handle.ReadUsage()!.Cpu;
        return (after - before) / watch.Elapsed;
    }
}
