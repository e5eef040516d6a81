using System.Runtime.Versioning;
using Shoal.Orchestration.State;
using Shoal.Processes;

namespace Shoal.Orchestration.Tests.State;

[UnsupportedOSPlatform("windows")]
public sealed class DaemonLockTests
{
    private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("shoal-lock-").FullName, ".shoal");

    [Fact]
    public void FindHolder_NoLockFile_IsNull() => Assert.Null(DaemonLock.FindHolder(_directory));

    [Fact]
    public void TryAcquire_Free_HoldsItAndRecordsThisProcess()
    {
        using var held = DaemonLock.TryAcquire(_directory);

        Assert.NotNull(held);
        var holder = DaemonLock.FindHolder(_directory);
        Assert.Equal(new LockHolder(Environment.ProcessId, ProcessIdentity.StartTimeOf(Environment.ProcessId)!.Value), holder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DaemonLock.PathIn(_directory)));
    }

    [Fact]
    public void TryAcquire_Held_IsNull()
    {
        using var first = DaemonLock.TryAcquire(_directory);

        using var second = DaemonLock.TryAcquire(_directory);

        Assert.NotNull(first);
        Assert.Null(second);
    }

    [Fact]
    public void FindHolder_AfterRelease_IsNull_AndTheLockCanBeTakenAgain()
    {
        DaemonLock.TryAcquire(_directory)!.Dispose();

        Assert.Null(DaemonLock.FindHolder(_directory));
        using var again = DaemonLock.TryAcquire(_directory);
        Assert.NotNull(again);
    }
}
