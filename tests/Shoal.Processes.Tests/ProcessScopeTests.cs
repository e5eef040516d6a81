using System.Globalization;
using System.Text;
using Shoal.Testing;

namespace Shoal.Processes.Tests;

/// <summary>Real processes: a child that leaves its parent's process group with setsid is still stopped with it.</summary>
public sealed class ProcessScopeTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-scope-").FullName;

    public static TheoryData<bool> CgroupModes => new() { true, false };

    [Theory]
    [MemberData(nameof(CgroupModes))]
    public async Task StopAsync_SetsidChild_IsGoneToo(bool cgroups)
    {
        var scope = Scope(cgroups);
        var (handle, child) = await StartEscapingAsync(new HostProcessRuntime(TimeProvider.System, scope));

        await handle.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await handle.DisposeAsync();

        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(child), TimeSpan.FromSeconds(5), "the setsid child to be gone");
        Assert.Equal(0, scope.SweepAll());
    }

    [Theory]
    [MemberData(nameof(CgroupModes))]
    public async Task SweepAll_WhatNoHandleStopped_IsGone(bool cgroups)
    {
        var scope = Scope(cgroups);
        var (handle, child) = await StartEscapingAsync(new HostProcessRuntime(TimeProvider.System, scope));
        Assert.Contains(child, scope.FindMarked());

        var killed = scope.SweepAll();

        Assert.Equal(2, killed);
        await handle.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        await Poll.UntilAsync(() => !ProcessUtil.IsAlive(child), TimeSpan.FromSeconds(5), "the setsid child to be gone");
        Assert.Empty(scope.FindMarked());
        await handle.DisposeAsync();
    }

    [Fact]
    public async Task SweepAll_AnotherScope_IsLeftAlone()
    {
        var mine = Scope(cgroups: false);
        var theirs = Scope(cgroups: false);
        var (handle, child) = await StartEscapingAsync(new HostProcessRuntime(TimeProvider.System, theirs));

        Assert.Equal(0, mine.SweepAll());
        Assert.True(ProcessUtil.IsAlive(child));
        Assert.Equal(2, theirs.SweepAll());
        await handle.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        await handle.DisposeAsync();
    }

    [Fact]
    public void ForStateDirectory_SameDirectory_SameKey()
    {
        Assert.Equal(ProcessScope.ForStateDirectory("/a/.shoal").Key, ProcessScope.ForStateDirectory("/a/b/../.shoal").Key);
        Assert.NotEqual(ProcessScope.ForStateDirectory("/a/.shoal").Key, ProcessScope.ForStateDirectory("/b/.shoal").Key);
    }

    [Theory]
    [InlineData("A=1\0SHOAL_SCOPE=k/app-1.ab\0B=2\0", "k/app-1.ab")]
    [InlineData("SHOAL_SCOPE=k/x", "k/x")]
    [InlineData("A=1\0XSHOAL_SCOPE=k/x\0", null)]
    [InlineData("", null)]
    public void MarkerIn_EnvironmentBlock_FindsTheVariable(string environ, string? expected) =>
        Assert.Equal(expected, ProcessScope.MarkerIn(Encoding.UTF8.GetBytes(environ), Encoding.UTF8.GetBytes(ProcessScope.Variable + "=")));

    /// <summary>With cgroups where the machine has them (root), or the environment marker alone (a cgroup parent that cannot exist).</summary>
    private static ProcessScope Scope(bool cgroups) =>
        cgroups
            ? new ProcessScope("test" + Guid.NewGuid().ToString("N")[..12])
            : new ProcessScope("test" + Guid.NewGuid().ToString("N")[..12], "/nonexistent/shoal");

    private async Task<(IProcessHandle Handle, int Child)> StartEscapingAsync(IProcessRuntime runtime)
    {
        var pidFile = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".pid");
        var handle = await runtime.StartAsync(new ProcessSpec
        {
            Name = "worker-1",
            FileName = "bash",
            Arguments = ["-c", $"setsid sleep 300 & echo $! > {pidFile}; exec sleep 300"],
            WorkingDirectory = _directory,
            LogFile = Path.Combine(_directory, "worker-1.log"),
        }, CancellationToken.None);
        await Poll.UntilAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), TimeSpan.FromSeconds(10), "the child's pid");
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        Assert.True(ProcessUtil.IsAlive(child));
        return (handle, child);
    }
}
